import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** Who may read /metrics: anyone who reaches it, or only with `Authorization: Bearer <token>`. */
export interface MetricsAccess {
  token?: string | undefined;
}

/** Answers a scrape with the registry's Prometheus text (401 without the configured bearer token). */
export function metricsHandler(registry: Registry, access: MetricsAccess = {}) {
  return (request: IncomingMessage, response: ServerResponse): void => {
    if (access.token && !bearerMatches(request.headers.authorization, access.token)) {
      response
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer realm="metrics"' })
        .end('send Authorization: Bearer <TANDEM_METRICS_TOKEN>\n');
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' }).end(text),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics unavailable: ${(error as Error).message}\n`),
    );
  };
}

export interface MetricsListener {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A small HTTP server of its own answering GET /metrics (the worker's, or the API server's when bound apart). */
export async function serveMetrics(registry: Registry, options: MetricsAccess & { host: string; port: number }): Promise<MetricsListener> {
  const handle = metricsHandler(registry, options);
  const server = createServer((request, response) => {
    if (request.method === 'GET' && (request.url ?? '').split('?')[0] === '/metrics') return handle(request, response);
    response.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics here\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** `host:port` (or `:port`, or a bare port) → its parts; a clear error for anything else. */
export function parseListenAddress(value: string, name: string): { host: string; port: number } {
  const match = /^(?:\[?([^\]]*)\]?:)?(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[2]);
  if (!match || port > 65_535) throw new Error(`${name} must be host:port or a port number (got "${value}")`);
  return { host: match[1] || '0.0.0.0', port };
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
