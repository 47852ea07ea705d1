import { once } from 'node:events';
import express, { type Router } from 'express';
import { bearerSecret } from '../auth/tokens.js';
import type { Services } from '../graphql/context.js';
import { sendError, type HttpErrorCode } from './http-errors.js';

/** API error codes as HTTP statuses, for the answers of this route. */
const STATUS_OF: Partial<Record<string, [number, HttpErrorCode]>> = {
  UNAUTHENTICATED: [401, 'UNAUTHENTICATED'],
  FORBIDDEN: [403, 'FORBIDDEN'],
  NOT_FOUND: [404, 'NOT_FOUND'],
  BAD_USER_INPUT: [400, 'BAD_USER_INPUT'],
};

/**
 * `GET /api/executions/<id>/temporal-history[?runId=<runId>]`: one Temporal run's history (the
 * execution's current run by default) as Temporal's JSON (`{ "events": [...] }`, what
 * `temporal workflow show --output json` prints and Temporal's replayer reads), streamed page
 * by page. Bearer token of the workflow's owner only: a history holds a run's whole values.
 */
export function temporalHistoryRouter(services: Services): Router {
  const router = express.Router();
  router.get('/executions/:id/temporal-history', (req, res, next) => {
    void (async () => {
      const secret = bearerSecret(req.headers.authorization);
      const user = secret ? await services.accounts.userForToken(secret) : null;
      if (!user) return sendError(res, 401, 'UNAUTHENTICATED', 'send Authorization: Bearer <token> of the workflow owner');
      const runId = typeof req.query.runId === 'string' ? req.query.runId : undefined;
      const target = await services.replay.historyTarget(user, req.params.id, runId);
      const pages = services.replay.historyPages(target);
      // The first page is read before answering, so a run Temporal does not know is a 404, not a cut stream.
      const first = await pages.next();
      res.status(200).type('application/json');
      res.setHeader('content-disposition', `attachment; filename="${target.workflowId}-${target.runId}.json"`);
      res.write('{"events":[');
      let count = 0;
      for (let page = first; !page.done; page = await pages.next()) {
        const text = page.value.map((event) => `${count++ === 0 ? '' : ','}\n${JSON.stringify(event)}`).join('');
        // A slow reader holds the next page back instead of the server buffering the whole history.
        if (!res.write(text)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
        if (res.destroyed) return; // the reader went away
      }
      res.end('\n]}\n');
    })().catch((error: unknown) => {
      const known = STATUS_OF[(error as { extensions?: { code?: string } }).extensions?.code ?? ''];
      if (known) return sendError(res, known[0], known[1], (error as Error).message);
      // gRPC status 5 is NOT_FOUND: Temporal does not know that run.
      if ((error as { code?: unknown }).code === 5) {
        return sendError(res, 404, 'NOT_FOUND', `Temporal has no history for this run (it may have expired)`);
      }
      next(error);
    });
  });
  return router;
}
