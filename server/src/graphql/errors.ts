import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { ERROR_CODES } from '../errors.js';

/** Protocol-level codes clients rely on (automatic persisted queries). */
const PASSED_THROUGH = new Set(['PERSISTED_QUERY_NOT_FOUND', 'PERSISTED_QUERY_NOT_SUPPORTED']);
const CLIENT_MISTAKES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT', 'BAD_REQUEST', 'OPERATION_RESOLUTION_FAILURE']);

/**
 * Errors reach clients with the API's codes only. Anything unexpected is masked (no stack,
 * SQL or paths) and logged with the request id, which the client also gets.
 */
export function formatApiError(formatted: GraphQLFormattedError, error: unknown, requestId?: string): GraphQLFormattedError {
  const code = String(formatted.extensions?.code ?? '');
  const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
  if ((ERROR_CODES.has(code) && code !== 'INTERNAL') || PASSED_THROUGH.has(code)) return { ...formatted, extensions };
  if (CLIENT_MISTAKES.has(code)) return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT' } };
  const original = unwrapResolverError(error);
  console.error(`[request ${requestId ?? '?'}] internal error:`, original);
  return {
    message: `internal error${requestId ? ` (request ${requestId})` : ''}`,
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions: { code: 'INTERNAL', ...(requestId ? { requestId } : {}) },
  };
}
