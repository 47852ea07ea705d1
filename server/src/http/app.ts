import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Request } from 'express';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from '@tandem/worker';
import { bearerSecret } from '../auth/tokens.js';
import { temporalHistoryRouter } from './temporal-history.js';
import type { ApiContext, Services } from '../graphql/context.js';
import { currentRequest, formatApiError } from '../graphql/errors.js';
import { DOCUMENT_LIMITS } from '../graphql/guard.js';
import { validationRules } from '../graphql/limits.js';
import { apiError } from '../errors.js';
import { attachGraphqlWs } from './graphql-ws.js';
import { graphqlGuard } from './graphql-guard.js';
import { clientMistake, finalErrorHandler, notFoundHandler } from './http-errors.js';
import { securityHeaders } from './security-headers.js';
import { webhookRouter } from './webhooks.js';
import { requestLogging } from '../logging/request-log.js';
import { operationLogPlugin } from '../logging/graphql-operation.js';

export interface HttpOptions {
  schema: GraphQLSchema;
  services: Services;
  introspection: boolean;
  allowedOrigins: string[];
  maxBodyBytes: number;
  /** More Apollo plugins (operation metrics). */
  plugins?: ApolloServerPlugin<ApiContext>[];
  /** Answers GET /metrics (Prometheus text); no route when unset. */
  metrics?: (request: IncomingMessage, response: ServerResponse) => void;
  /** Named readiness checks: each resolves when its part answers. */
  readiness: Record<string, () => Promise<unknown>>;
  /** Extra routes (the built web client, later). */
  extend?: (app: express.Express) => void;
  /** Where clients reach this server; taken from each request when unset. */
  publicUrl?: string | undefined;
  /** Express's `trust proxy` (which proxies may say the client's address and protocol); unset trusts none. */
  trustProxy?: boolean | number | string | undefined;
  /** The collaboration endpoint (/collab/<workflow id>). */
  collab: { handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> };
  /** One line per request (request id, method, path, status, duration, GraphQL operation). */
  log: Logger;
}

export interface HttpServer {
  server: Server;
  /**
   * The first step of a shutdown: /readyz answers 503, new websockets are refused and
   * keep-alive connections close after their response, so a load balancer moves clients away.
   */
  stopAccepting(): void;
  /** Stops accepting, closes subscriptions cleanly, drains requests in flight. */
  close(): Promise<void>;
}

export async function createHttpServer(options: HttpOptions): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  // No ETag on answers sent with res.send (GraphQL, webhooks, JSON): none is cacheable, and
  // hashing every body cost a SHA-1 per answer. Static files keep theirs (serve-static, send).
  app.disable('etag');
  if (options.trustProxy !== undefined) app.set('trust proxy', options.trustProxy);
  // First, so every route's answer carries its request id and is logged.
  app.use(requestLogging(options.log));
  app.use(securityHeaders({ landingPage: options.introspection }));
  const server = createServer(app);
  let draining = false;
  app.use((_req, res, next) => {
    if (draining) res.setHeader('connection', 'close');
    next();
  });

  const isOriginAllowed = (origin: string | undefined, host: string | undefined): boolean => {
    if (!origin) return true; // not a browser: authenticated by token like any API client
    if (options.allowedOrigins.includes(origin)) return true;
    try {
      return new URL(origin).host === host; // same origin as the page this server serves
    } catch {
      return false;
    }
  };

  // Documents are measured in linear time and validated within a budget before anything else
  // looks at them (guard.ts); over HTTP and graphql-ws alike.
  const guard = graphqlGuard({ schema: options.schema, introspection: options.introspection });
  const ws = attachGraphqlWs({
    schema: options.schema,
    services: options.services,
    isOriginAllowed,
    maxPayloadBytes: options.maxBodyBytes,
    introspection: options.introspection,
    documents: guard.documents,
  });

  // One HTTP server, two websocket endpoints: each upgrade goes to the one its path names.
  server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (draining) return rejectUpgrade(socket, 503, 'server is shutting down: reconnect');
    const path = (request.url ?? '/').split('?')[0]!;
    if (path === '/graphql') return ws.handleUpgrade(request, socket, head);
    if (path.startsWith('/collab/')) {
      if (!isOriginAllowed(request.headers.origin, request.headers.host)) return rejectUpgrade(socket, 403, 'origin not allowed');
      void options.collab.handleUpgrade(request, socket, head).catch(() => socket.destroy());
      return;
    }
    rejectUpgrade(socket, 404, 'no websocket endpoint here: use /graphql or /collab/<workflow id>');
  });

  const apollo = new ApolloServer<ApiContext>({
    schema: options.schema,
    introspection: options.introspection,
    // Used only for documents the guard has not seen (a persisted query sent by hash whose
    // checked document was evicted); the guard's validation runs the same rules.
    validationRules,
    validationOptions: { hideSuggestions: !options.introspection },
    parseOptions: { maxTokens: DOCUMENT_LIMITS.maxTokens },
    documentStore: guard.documents,
    csrfPrevention: true,
    // The process orders its own shutdown (API, then worker, then Temporal).
    stopOnTerminationSignals: false,
    includeStacktraceInErrorResponses: false,
    formatError: (formatted, error) =>
      formatApiError(formatted, error, currentRequest.getStore()?.requestId, true, { hideSuggestions: !options.introspection }),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // No answer of this API is cacheable, and Apollo's cache-control plugin (on by default)
      // wraps every field's resolver to compute hints nobody reads.
      ApolloServerPluginCacheControlDisabled(),
      guard.plugin,
      operationLogPlugin(),
      ...(options.plugins ?? []),
      ...(options.introspection ? [] : [ApolloServerPluginLandingPageDisabled()]),
    ],
  });
  await apollo.start();

  if (options.metrics) app.get('/metrics', options.metrics);
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    if (draining) return void res.status(503).json({ status: 'not ready: shutting down', checks: {} });
    // Checked at once, reported in the order they are declared.
    const results = await Promise.all(
      Object.entries(options.readiness).map(async ([name, check]) => {
        try {
          await withTimeout(check(), 3_000);
          return [name, 'ok'] as const;
        } catch (error) {
          return [name, `unavailable: ${(error as Error).message}`] as const;
        }
      }),
    );
    const checks: Record<string, string> = Object.fromEntries(results);
    const failing = Object.entries(checks)
      .filter(([, v]) => v !== 'ok')
      .map(([k]) => k);
    res.status(failing.length === 0 ? 200 : 503).json({ status: failing.length === 0 ? 'ready' : `not ready: ${failing.join(', ')}`, checks });
  });

  // CORS for the browser origins an operator allows (same-origin pages need none).
  app.use('/graphql', (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && options.allowedOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-allow-headers', 'authorization, content-type, x-request-id, apollo-require-preflight');
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader('access-control-expose-headers', 'x-request-id');
      res.setHeader('access-control-max-age', '600');
    }
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
    next();
  });
  app.use(
    '/graphql',
    express.json({ limit: options.maxBodyBytes }),
    guard.middleware,
    expressMiddleware(apollo, {
      context: async ({ req }) => contextFor(req, options.services, options.publicUrl),
    }),
  );
  // Oversized or malformed bodies get a GraphQL-shaped answer (code BAD_USER_INPUT, `reason` says which).
  app.use('/graphql', (error: Error, _req: Request, res: express.Response, next: express.NextFunction) => {
    if ((error as { extensions?: { code?: string } }).extensions?.code === 'UNAUTHENTICATED') {
      res.status(401).json({ errors: [{ message: error.message, extensions: { code: 'UNAUTHENTICATED' } }] });
      return;
    }
    const mistake = clientMistake(error, options.maxBodyBytes);
    if (!mistake) return next(error);
    const message = mistake.code === 'PAYLOAD_TOO_LARGE' ? `request body is larger than ${options.maxBodyBytes} bytes` : mistake.message;
    res.status(mistake.status).json({
      errors: [
        { message, extensions: { code: 'BAD_USER_INPUT', reason: mistake.reason ?? (mistake.code === 'BAD_USER_INPUT' ? 'BAD_REQUEST' : mistake.code) } },
      ],
    });
  });
  app.use('/hooks', webhookRouter({ services: options.services, maxBodyBytes: options.maxBodyBytes }));
  app.use('/api', temporalHistoryRouter(options.services));
  options.extend?.(app);
  // Whatever nothing answered, and every error nothing handled: JSON `{ error: { code, message } }`.
  app.use(notFoundHandler);
  app.use(finalErrorHandler(options.maxBodyBytes));

  return {
    server,
    stopAccepting() {
      draining = true;
    },
    async close() {
      draining = true;
      const debug = (line: string) => options.log.debug(`shutdown: ${line}`);
      await ws.close();
      debug('websockets closed');
      await apollo.stop();
      debug('apollo stopped');
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function contextFor(req: Request, services: Services, publicUrl: string | undefined): Promise<ApiContext> {
  const requestId = currentRequest.getStore()?.requestId ?? randomUUID();
  const secret = bearerSecret(req.headers.authorization);
  const user = secret ? await services.accounts.userForToken(secret) : null;
  // A credential that was sent but is not valid is an error, not an anonymous request.
  if (secret && !user) throw apiError('UNAUTHENTICATED', 'the bearer token is invalid, expired or revoked', { http: { status: 401 } });
  return {
    requestId,
    user,
    token: secret,
    services,
    clientAddress: req.ip ?? req.socket.remoteAddress ?? 'unknown',
    publicUrl: publicUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}`,
  };
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}
