import { GraphQLError } from 'graphql';
import type { Problem } from '@tandem/schema';

/** The stable error codes of the API (`extensions.code`). */
export type ErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'RATE_LIMITED' | 'CONFLICT' | 'INTERNAL';

export const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'CONFLICT',
  'INTERNAL',
]);

export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

export const unauthenticated = () => apiError('UNAUTHENTICATED', 'sign in first: send Authorization: Bearer <token>');
export const notFound = (what: string, id: string) => apiError('NOT_FOUND', `${what} "${id}" not found`);
export const forbidden = (message: string) => apiError('FORBIDDEN', message);
export const conflict = (message: string) => apiError('CONFLICT', message);

/** A BAD_USER_INPUT error carrying schema validation problems as `extensions.problems`. */
export function invalidWorkflow(problems: Problem[], what = 'the workflow is invalid'): GraphQLError {
  const summary = problems
    .slice(0, 3)
    .map((p) => p.message)
    .join('; ');
  const more = problems.length > 3 ? ` (and ${problems.length - 3} more)` : '';
  return apiError('BAD_USER_INPUT', `${what}: ${summary}${more}`, {
    problems: problems.map((p) => ({ path: p.path, nodeId: p.nodeId ?? null, edgeId: p.edgeId ?? null, code: p.code, message: p.message })),
  });
}

export const badInput = (message: string, extensions: Record<string, unknown> = {}) => apiError('BAD_USER_INPUT', message, extensions);
