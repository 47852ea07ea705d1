import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Logger } from '@tandem/worker';

/** What the server knows of the HTTP request being served, wherever its handling has got to. */
export interface RequestState {
  requestId: string;
  /** The process's logger with this request's id on every line. */
  log?: Logger;
  /** GraphQL: the root field the operation selects ('multiple', 'invalid'), set once resolved. */
  operation?: string;
  /** GraphQL: the operation's own name, as the client wrote it. */
  operationName?: string;
  /** GraphQL: the error codes of the response. */
  errorCodes?: string[];
}

/** The request being served, for errors raised outside resolvers (e.g. in the context) and for its log line. */
export const currentRequest = new AsyncLocalStorage<RequestState>();

const REQUEST_ID = /^[\w.-]{1,100}$/;

/** The client's `x-request-id` when it is a plain token (letters, digits, `_.-`, at most 100), else a fresh one. */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}
