import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { logInternalError } from '../graphql/errors.js';

/**
 * Error bodies of every HTTP route that is not GraphQL: `{ error: { code, message } }`, JSON in
 * every mode, never a stack, SQL or a path; 4xx for the client's mistakes, 500 only for ours
 * (logged with the request id, which the client gets too).
 */
export type HttpErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'UNPROCESSABLE'
  | 'INTERNAL';

export interface HttpErrorBody {
  error: { code: HttpErrorCode; message: string; requestId?: string; [extra: string]: unknown };
}

export function sendError(res: Response, status: number, code: HttpErrorCode, message: string, extra: Record<string, unknown> = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body: HttpErrorBody = { error: { code, message, ...extra } };
  res.status(status).type('application/json').send(JSON.stringify(body));
}

/** Express/body-parser error fields (`http-errors`). */
interface ExpressError extends Error {
  type?: string;
  status?: number;
  statusCode?: number;
  limit?: number;
  expose?: boolean;
}

/** What an error thrown before or by a route means to the client, when it is the client's mistake. */
export function clientMistake(error: unknown, maxBodyBytes?: number): { status: number; code: HttpErrorCode; message: string; reason?: string } | null {
  if (error instanceof URIError) return { status: 400, code: 'BAD_USER_INPUT', message: 'the URL is not valid: bad percent-encoding' };
  const e = error as ExpressError | null;
  if (!e || typeof e !== 'object') return null;
  const status = e.status ?? e.statusCode;
  switch (e.type) {
    case 'entity.too.large':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: `the request body is larger than ${e.limit ?? maxBodyBytes ?? 'the limit of'} bytes` };
    case 'entity.parse.failed':
      return { status: 400, code: 'BAD_USER_INPUT', message: 'the request body is not valid JSON', reason: 'BODY_NOT_JSON' };
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return { status: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'the request body has a character set or content encoding this server does not read' };
    case 'request.aborted':
    case 'request.size.invalid':
      return { status: 400, code: 'BAD_USER_INPUT', message: 'the request body ended before its stated length' };
    default:
      break;
  }
  // express.static, the router's own decoding (a bad %-escape in a path parameter) and other http-errors.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (status === 404) return { status, code: 'NOT_FOUND', message: 'nothing here' };
    if (status === 405) return { status, code: 'METHOD_NOT_ALLOWED', message: 'method not allowed here' };
    if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: 'the request body is too large' };
    if (status === 415) return { status, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'unsupported media type' };
    // Only messages http-errors marks as safe to show (its own, for 4xx) are passed on.
    return { status, code: 'BAD_USER_INPUT', message: e.expose && typeof e.message === 'string' ? e.message.slice(0, 200) : 'bad request' };
  }
  return null;
}

/** The last route: JSON 404 for any path nothing answered (the built client's fallback comes before it). */
export const notFoundHandler: RequestHandler = (req, res) => {
  const path = req.path.length > 100 ? `${req.path.slice(0, 100)}…` : req.path;
  sendError(res, 404, 'NOT_FOUND', `no route for ${req.method} ${[...path].map((c) => (c.charCodeAt(0) < 0x20 ? '?' : c)).join('')}`);
};

/** The last error handler of the app: never Express's HTML page, never a stack. */
export function finalErrorHandler(maxBodyBytes: number): ErrorRequestHandler {
  return (error: unknown, req: Request, res: Response, _next) => {
    const mistake = clientMistake(error, maxBodyBytes);
    if (mistake) return sendError(res, mistake.status, mistake.code, mistake.message);
    const requestId = requestIdOf(req);
    logInternalError(error, requestId);
    sendError(res, 500, 'INTERNAL', `internal error (request ${requestId})`, { requestId });
  };
}

/** The request's id: the x-request-id it sent (when well-formed) or the one set on the response. */
export function requestIdOf(req: Request): string {
  const given = req.res?.getHeader('x-request-id') ?? req.headers['x-request-id'];
  return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
}
