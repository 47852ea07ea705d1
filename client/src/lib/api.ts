import type { Client } from 'graphql-ws';
import { setSession, token } from './session';

/** One problem the API names, e.g. a validation problem with the node it belongs to. */
export interface ApiProblem {
  path?: string;
  nodeId?: string;
  edgeId?: string;
  message: string;
}

/** An error from the API, with its stable code and, for invalid input, the problems it names. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly problems: ApiProblem[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface GraphqlErrorShape {
  message: string;
  extensions?: { code?: string; problems?: ApiProblem[] };
}

function toApiError(errors: GraphqlErrorShape[]): ApiError {
  const first = errors[0];
  const problems = errors.flatMap((e) => (Array.isArray(e.extensions?.problems) ? e.extensions.problems : []));
  return new ApiError(first?.message ?? 'the request failed', first?.extensions?.code ?? 'INTERNAL', problems);
}

/** Set while the page is being left: the browser aborts its requests then, and nobody is left to be told. */
let leaving = false;
if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', () => (leaving = true));
  // Back from the back-forward cache: the page is live again.
  window.addEventListener('pageshow', () => (leaving = false));
}

/** Sends one GraphQL operation over HTTP with the session's token. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const current = token();
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(current ? { authorization: `Bearer ${current}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    // A request the page's own navigation aborted never settles, instead of failing as an uncaught error.
    if (leaving) return new Promise<T>(() => {});
    throw new ApiError('Tandem cannot be reached: check your connection and try again.', 'NETWORK');
  }
  let body: { data?: T; errors?: GraphqlErrorShape[] };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new ApiError(`Tandem answered ${response.status} ${response.statusText}`, 'INTERNAL');
  }
  if (body.errors?.length) {
    const error = toApiError(body.errors);
    // A session that expired or was revoked: back to the sign-in page.
    if (error.code === 'UNAUTHENTICATED' && current) setSession(null);
    throw error;
  }
  if (!body.data) throw new ApiError('Tandem sent an empty answer', 'INTERNAL');
  return body.data;
}

/** A readable sentence for any error thrown by the API layer (never raw JSON). */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'UNAUTHENTICATED':
        return error.message || 'Please sign in again.';
      case 'FORBIDDEN':
        return `Not allowed: ${error.message}`;
      case 'NOT_FOUND':
        return `Not found: ${error.message}`;
      case 'RATE_LIMITED':
        return `Too many attempts: ${error.message}`;
      default:
        return error.message;
    }
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

let wsClient: Client | undefined;
let wsToken: string | null = null;

/** The graphql-ws client for subscriptions, authenticated with the current token (recreated when it changes). */
export async function subscriptions(): Promise<Client> {
  const current = token();
  if (wsClient && wsToken === current) return wsClient;
  if (wsClient) void wsClient.dispose();
  const { createClient } = await import('graphql-ws');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  wsToken = current;
  wsClient = createClient({
    url,
    connectionParams: () => (wsToken ? { authorization: `Bearer ${wsToken}` } : {}),
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 500 * 2 ** retries))),
    lazy: true,
  });
  return wsClient;
}

/** Subscribes; returns the function that stops it. `onError` gets GraphQL and transport errors. */
export function subscribe<T>(
  query: string,
  variables: Record<string, unknown>,
  handlers: { next: (data: T) => void; error?: (error: ApiError) => void; complete?: () => void },
): () => void {
  let stop: (() => void) | undefined;
  let stopped = false;
  void subscriptions().then((client) => {
    if (stopped) return;
    stop = client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors?.length) handlers.error?.(toApiError(value.errors as GraphqlErrorShape[]));
          else if (value.data) handlers.next(value.data as T);
        },
        error: (error) => {
          const message = Array.isArray(error)
            ? toApiError(error as GraphqlErrorShape[])
            : new ApiError(error instanceof Error ? error.message : 'the live connection closed', 'NETWORK');
          handlers.error?.(message);
        },
        complete: () => handlers.complete?.(),
      },
    );
  });
  return () => {
    stopped = true;
    stop?.();
  };
}
