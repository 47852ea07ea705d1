import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES } from '../errors.js';
import { processLog } from '@tandem/worker';
import { currentRequest } from '../logging/request-context.js';

export { currentRequest };

/** Protocol-level codes clients rely on (automatic persisted queries). */
const PASSED_THROUGH = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);
const CLIENT_MISTAKES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * Errors reach clients with the API's codes only. Anything unexpected is masked (no stack,
 * SQL or paths) and logged with the request id, which the client also gets.
 */
export function formatApiError(
  formatted: GraphQLFormattedError,
  error: unknown,
  requestId: string | undefined = currentRequest.getStore()?.requestId,
  log = true,
  options: { hideSuggestions?: boolean } = {},
): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? '');
  const { stacktrace: _stack, http: _http, ...extensions } = formatted.extensions ?? {};
  const message = options.hideSuggestions ? withoutSuggestions(formatted.message) : formatted.message;
  if ((ERROR_CODES.has(code) && code !== 'INTERNAL') || PASSED_THROUGH.has(code)) return { ...formatted, message, extensions };
  // Apollo's and graphql's own codes for a client's mistake become BAD_USER_INPUT; `reason` keeps which.
  if (CLIENT_MISTAKES.has(code)) return { ...formatted, message, extensions: { ...extensions, code: 'BAD_USER_INPUT', reason: extensions.reason ?? code } };
  if (log) logInternalError(error, requestId);
  return {
    message: `internal error${requestId ? ` (request ${requestId})` : ''}`,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL', ...(requestId ? { requestId } : {}) },
  };
}

/**
 * graphql's "Did you mean …?" hints name fields, arguments and types of the schema; with
 * introspection off they would reveal what introspection hides.
 */
export function withoutSuggestions(message: string): string {
  return message.replace(/ ?Did you mean [^?]*\?/g, '').trimEnd();
}

export function isExpectedError(code: unknown): boolean {
  const text = String(code ?? '');
  return (ERROR_CODES.has(text) && text !== 'INTERNAL') || PASSED_THROUGH.has(text) || CLIENT_MISTAKES.has(text);
}

/** An unexpected error, with its stack, on the request's log (database errors arrive already without values: db/redact.ts). */
export function logInternalError(error: unknown, requestId: string | undefined): void {
  // The request's own logger already puts its id on the line.
  const log = currentRequest.getStore()?.log;
  (log ?? processLog()).error({ err: unwrapResolverError(error), ...(log ? {} : { requestId }) }, `internal error (request ${requestId ?? '?'})`);
}
