import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerSecret } from '../auth/tokens.js';
import type { ApiContext, Services } from '../graphql/context.js';
import { formatApiError } from '../graphql/errors.js';
import { checkDocument, checkDocumentStrings, checkVariables, queryHash } from '../graphql/guard.js';
import { checkComplexity } from '../graphql/limits.js';
import { randomUUID } from 'node:crypto';
import { GuardedDocuments } from './graphql-guard.js';

export interface GraphqlWsOptions {
  schema: GraphQLSchema;
  services: Services;
  isOriginAllowed(origin: string | undefined, host: string | undefined): boolean;
  maxPayloadBytes: number;
  introspection: boolean;
  /** Documents already checked (shared with HTTP). */
  documents?: GuardedDocuments;
}

/**
 * graphql-ws for upgrades of the /graphql path. graphql-ws validates with the plain spec
 * rules only, so the API's guard (guard.ts: size, fragments, expanded size, cycles, then
 * validation within a time budget), limits and auth are applied here in onSubscribe.
 */
export function attachGraphqlWs(options: GraphqlWsOptions): {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
} {
  const documents = options.documents ?? new GuardedDocuments();
  const format = (error: GraphQLError) => formatError(error, !options.introspection);
  const wsServer = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxPayloadBytes,
    verifyClient: ({ origin, req }: { origin: string; req: { headers: { host?: string } } }) => options.isOriginAllowed(origin, req.headers.host),
  });
  const cleanup = useServer<Record<string, unknown>, { user?: ApiContext['user']; token?: string | null }>(
    {
      schema: options.schema,
      connectionInitWaitTimeout: 10_000,
      onConnect: async (ctx) => {
        const secret = bearerSecret(ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization);
        if (secret) {
          const user = await options.services.accounts.userForToken(secret);
          if (!user) return false; // a bad credential is refused outright (4403)
          ctx.extra.user = user;
          ctx.extra.token = secret;
        }
        return true;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const query = typeof payload.query === 'string' ? payload.query : '';
        const hash = queryHash(query);
        let document: DocumentNode | undefined = await documents.get(hash);
        if (!document) {
          const checked = checkDocument(options.schema, query, { introspection: options.introspection });
          if (checked.errors) return checked.errors.map((e) => format(e));
          document = checked.document;
          documents.remember(hash, document);
        }
        const problem = checkDocumentStrings(document) ?? checkVariables(payload.variables);
        if (problem) return [format(problem)];
        try {
          checkComplexity(options.schema, document, payload.variables ?? {}, payload.operationName);
        } catch (error) {
          return [format(error as GraphQLError)];
        }
        const contextValue: ApiContext = {
          requestId: randomUUID(),
          user: ctx.extra.user ?? null,
          token: ctx.extra.token ?? null,
          services: options.services,
        };
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          variableValues: payload.variables ?? null,
          operationName: payload.operationName ?? null,
          contextValue,
        };
        return args;
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => format(e)),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if ('errors' in result && result.errors) {
          return { ...result, errors: result.errors.map((e) => format(e as GraphQLError)) };
        }
        return result;
      },
    },
    wsServer,
  );
  return {
    handleUpgrade(request, socket, head) {
      wsServer.handleUpgrade(request, socket, head, (ws) => wsServer.emit('connection', ws, request));
    },
    async close() {
      await cleanup.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

function formatError(error: GraphQLError, hideSuggestions: boolean): GraphQLError {
  const formatted = formatApiError(error.toJSON(), error.originalError ?? error, undefined, true, { hideSuggestions });
  return new GraphQLError(formatted.message, { extensions: formatted.extensions ?? {}, ...(formatted.path ? { path: formatted.path } : {}) });
}
