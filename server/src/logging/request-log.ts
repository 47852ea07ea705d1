import type { RequestHandler } from 'express';
import type { Logger } from '@tandem/worker';
import { currentRequest, requestIdFrom, type RequestState } from './request-context.js';

/** Routes whose requests are the API's (info); probes, metrics scrapes and static files are logged at debug. */
const API_ROUTES = /^\/(graphql|hooks|api)(\/|$)/;

/**
 * Gives every HTTP request an id (the client's `x-request-id` when well-formed, else a fresh
 * one, returned in the response's `x-request-id`) and writes one line when it ends: method,
 * path (never the query string, which may carry anything), status, duration and, for GraphQL,
 * the operation. Headers and bodies are never logged.
 */
export function requestLogging(log: Logger): RequestHandler {
  return (req, res, next) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const state: RequestState = { requestId, log: log.child({ requestId }) };
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const path = req.originalUrl.split('?')[0]!.slice(0, 200);
      const fields = {
        requestId,
        method: req.method,
        path,
        status: res.statusCode,
        durationMs: Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10,
        ...(res.writableFinished ? {} : { aborted: true }),
        ...(state.operation ? { operation: state.operation } : {}),
        ...(state.operationName ? { operationName: state.operationName.slice(0, 100) } : {}),
        ...(state.errorCodes?.length ? { errorCodes: state.errorCodes } : {}),
      };
      const level = API_ROUTES.test(path) ? 'info' : 'debug';
      log[level](fields, `${req.method} ${path} ${res.statusCode}`);
    });
    currentRequest.run(state, next);
  };
}
