import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { GraphQLError, NoSchemaIntrospectionCustomRule, parse, validate, type ExecutionArgs, type GraphQLSchema, specifiedRules } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { bearerSecret } from '../auth/tokens.js';
import type { ApiContext, Services } from '../graphql/context.js';
import { formatApiError } from '../graphql/errors.js';
import { checkComplexity, validationRules } from '../graphql/limits.js';
import { randomUUID } from 'node:crypto';

export interface GraphqlWsOptions {
  schema: GraphQLSchema;
  services: Services;
  isOriginAllowed(origin: string | undefined, host: string | undefined): boolean;
  maxPayloadBytes: number;
  introspection: boolean;
}

/**
 * graphql-ws for upgrades of the /graphql path. graphql-ws validates with the plain spec
 * rules only, so the API's limits and auth are applied here in onSubscribe.
 */
export function attachGraphqlWs(options: GraphqlWsOptions): {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): Promise<void>;
} {
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
        let document;
        try {
          document = parse(payload.query);
        } catch (error) {
          return [formatError(error as GraphQLError)];
        }
        const rules = [...specifiedRules, ...validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
        const errors = validate(options.schema, document, rules);
        if (errors.length > 0) return errors.map((e) => formatError(e, 'BAD_USER_INPUT'));
        try {
          checkComplexity(options.schema, document, payload.variables ?? {}, payload.operationName);
        } catch (error) {
          return [formatError(error as GraphQLError)];
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
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => formatError(e)),
      onNext: (_ctx, _id, _payload, _args, result) => {
        if ('errors' in result && result.errors) {
          return { ...result, errors: result.errors.map((e) => formatError(e as GraphQLError)) };
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

function formatError(error: GraphQLError, code?: string): GraphQLError {
  const formatted = formatApiError(code ? { ...error.toJSON(), extensions: { ...error.extensions, code } } : error.toJSON(), error.originalError ?? error);
  return new GraphQLError(formatted.message, { extensions: formatted.extensions ?? {}, ...(formatted.path ? { path: formatted.path } : {}) });
}
