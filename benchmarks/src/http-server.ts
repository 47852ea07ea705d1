import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StepServer {
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  requests(): number;
  close(): Promise<void>;
}

/**
 * The HTTP chain's target: `GET /step/<n>` answers `{ "step": n, "next": n + 1 }` as JSON at once,
 * so the benchmark measures the engine, not the endpoint.
 */
export async function startStepServer(): Promise<StepServer> {
  let count = 0;
  const server: Server = createServer((req, res) => {
    count++;
    const match = /^\/step\/(\d+)$/.exec(req.url ?? '');
    const status = req.method === 'GET' && match ? 200 : 404;
    const step = match ? Number(match[1]) : null;
    const body = JSON.stringify(status === 200 ? { step, next: step! + 1 } : { error: 'not found' });
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
