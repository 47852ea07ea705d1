import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestHttpServer {
  url: string;
  port: number;
  /** Requests seen per path (without query). */
  hits: Map<string, number>;
  /** Requests to a `/hang…` path whose client closed the connection before any answer. */
  abandoned: number;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse, body: string, server: TestHttpServer) => void;

/** A local HTTP server standing in for the outside services http.request calls. */
export async function startHttpServer(routes: Record<string, Route>): Promise<TestHttpServer> {
  const hits = new Map<string, number>();
  const held: ServerResponse[] = [];
  const self = { hits, abandoned: 0 } as TestHttpServer;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const route = routes[path];
      if (!route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('no such route');
        return;
      }
      if (path.startsWith('/hang')) {
        held.push(res);
        res.on('close', () => {
          if (!res.writableEnded) self.abandoned++;
        });
      }
      route(req, res, body, self);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  Object.assign(self, {
    url: `http://127.0.0.1:${port}`,
    port,
    close: async () => {
      for (const res of held) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
  return self;
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
