import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import type { Request, RequestHandler, Response } from 'express';
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { ApiContext } from '../graphql/context.js';
import { formatApiError } from '../graphql/errors.js';
import { checkDocument, checkDocumentStrings, checkVariables, queryHash, refusal, refusalBody, refusalStatus } from '../graphql/guard.js';
import { checkComplexity } from '../graphql/limits.js';
import { BoundedMap } from '../bounded-map.js';

type DocumentStore = NonNullable<ApolloServerOptions<ApiContext>['documentStore']>;

/** Longest query text whose hash is remembered: at most this many characters per entry. */
const HASHES_REMEMBERED_UP_TO = 4_096;

/**
 * Documents that passed the guard (and graphql's validation inside it), by the SHA-256 of their
 * text, least recently used dropped first. Given to Apollo as its `documentStore`: Apollo looks
 * a document up there before parsing and validating, so what the guard checked is not checked
 * twice. Apollo stores the documents it validates itself there too (persisted queries sent by
 * hash only, whose text passed the guard when it was registered).
 */
export class GuardedDocuments implements DocumentStore {
  private readonly documents: BoundedMap<string, DocumentNode>;
  /** The hash of each query text seen lately, short texts only: a lookup costs far less than a SHA-256 per request. */
  private readonly hashes: BoundedMap<string, string>;
  constructor(capacity = 1_000) {
    this.documents = new BoundedMap(capacity);
    this.hashes = new BoundedMap(capacity);
  }

  hashOfQuery(query: string): string {
    const known = this.hashes.get(query);
    if (known !== undefined) return known;
    const hash = queryHash(query);
    if (query.length <= HASHES_REMEMBERED_UP_TO) this.hashes.set(query, hash);
    return hash;
  }

  /** Apollo prefixes keys with a hash of the schema and a colon. */
  private static hashOf(key: string): string {
    return key.slice(key.lastIndexOf(':') + 1);
  }

  has(hash: string): boolean {
    return this.documents.has(hash);
  }

  remember(hash: string, document: DocumentNode): void {
    this.documents.set(hash, document);
  }

  async get(key: string): Promise<DocumentNode | undefined> {
    const hash = GuardedDocuments.hashOf(key);
    const document = this.documents.get(hash);
    if (document) this.remember(hash, document);
    return document;
  }

  async set(key: string, value: DocumentNode): Promise<void> {
    this.remember(GuardedDocuments.hashOf(key), value);
  }

  async delete(key: string): Promise<boolean> {
    return this.documents.delete(GuardedDocuments.hashOf(key));
  }
}

export interface GraphqlGuardOptions {
  schema: GraphQLSchema;
  introspection: boolean;
}

/**
 * The guard of /graphql over HTTP, in two parts:
 * - `middleware`, after the JSON body parser and before Apollo: persisted-query sanity, then the
 *   document checks of guard.ts (size, tokens, nesting, fragments, fan-out, expanded size,
 *   cycles, validation, all within a time budget). A refusal is answered here, 400, before
 *   Apollo does any work;
 * - `plugin`, once Apollo knows the operation: no subscriptions over HTTP, no NUL characters in
 *   string literals or variables, variables not nested too deep, the cost limit.
 */
export function graphqlGuard(options: GraphqlGuardOptions): {
  documents: GuardedDocuments;
  middleware: RequestHandler;
  plugin: ApolloServerPlugin<ApiContext>;
} {
  const documents = new GuardedDocuments();

  const middleware: RequestHandler = (req, res, next) => {
    const requests = req.method === 'GET' ? [fromQueryString(req)] : Array.isArray(req.body) ? (req.body as unknown[]) : [req.body];
    for (const request of requests) {
      if (!request || typeof request !== 'object') continue; // Apollo answers malformed requests itself
      const { query, extensions } = request as { query?: unknown; extensions?: unknown };
      const persisted = extensions && typeof extensions === 'object' ? (extensions as { persistedQuery?: unknown }).persistedQuery : undefined;
      if (persisted !== undefined) {
        const problem = persistedQueryProblem(persisted, query);
        if (problem) return refuse(res, [problem], options.introspection);
      }
      if (typeof query !== 'string') continue;
      const hash = documents.hashOfQuery(query);
      if (documents.has(hash)) continue;
      const checked = checkDocument(options.schema, query, { introspection: options.introspection });
      if (checked.errors) return refuse(res, checked.errors, options.introspection);
      documents.remember(hash, checked.document);
    }
    next();
  };

  const plugin: ApolloServerPlugin<ApiContext> = {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, operation, schema }) {
          if (operation?.operation === 'subscription') {
            throw refusal('subscriptions are served over graphql-ws (a websocket to /graphql), not over HTTP', 'SUBSCRIPTION_OVER_HTTP');
          }
          const problem = checkDocumentStrings(document) ?? checkVariables(request.variables);
          if (problem) throw problem;
          checkComplexity(schema, document, request.variables ?? {}, request.operationName);
        },
      };
    },
  };

  return { documents, middleware, plugin };
}

function persistedQueryProblem(persisted: unknown, query: unknown): GraphQLError | null {
  const { version, sha256Hash } = (persisted ?? {}) as { version?: unknown; sha256Hash?: unknown };
  if (typeof persisted !== 'object' || persisted === null || version !== 1) {
    return refusal('extensions.persistedQuery.version must be 1', 'PERSISTED_QUERY_VERSION_UNSUPPORTED');
  }
  if (typeof sha256Hash !== 'string' || !/^[0-9a-f]{64}$/.test(sha256Hash)) {
    return refusal('extensions.persistedQuery.sha256Hash must be the SHA-256 of the query, 64 lowercase hex digits', 'PERSISTED_QUERY_HASH_MISMATCH');
  }
  if (typeof query === 'string' && queryHash(query) !== sha256Hash) {
    return refusal('provided sha does not match query', 'PERSISTED_QUERY_HASH_MISMATCH');
  }
  return null;
}

/** A GET request's parts (Apollo reads the same query-string parameters). */
function fromQueryString(req: Request): { query?: unknown; extensions?: unknown } {
  const { query, extensions } = req.query as Record<string, unknown>;
  let parsed: unknown;
  if (typeof extensions === 'string') {
    try {
      parsed = JSON.parse(extensions);
    } catch {
      parsed = undefined; // Apollo refuses it
    }
  }
  return { query, extensions: parsed };
}

function refuse(res: Response, errors: GraphQLError[], introspection: boolean): void {
  res
    .status(refusalStatus(errors))
    .type('application/json')
    .send(JSON.stringify({ errors: errors.map((error) => formatApiError(refusalBody(error), error, undefined, false, { hideSuggestions: !introspection })) }));
}
