import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response, type Router } from 'express';
import { webhookTrigger, type JsonValue } from '@tandem/schema';
import type { Services } from '../graphql/context.js';
import { logInternalError } from '../graphql/errors.js';
import { VARIABLE_LIMITS, hasControlCharacter, jsonNestingExceeds } from '../graphql/guard.js';
import { clientMistake, sendError, type HttpErrorCode } from './http-errors.js';

export interface WebhookOptions {
  services: Services;
  maxBodyBytes: number;
}

const SECRET_HEADER = 'x-tandem-webhook-secret';
const SIGNATURE_HEADER = 'x-tandem-signature';
const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Request headers passed to the run (others, such as cookies or authorization, are not). */
const FORWARDED_HEADERS = ['content-type', 'user-agent', 'x-request-id', 'x-github-event', 'x-event-type'];

/** A refusal with its HTTP status and code, answered as `{ error: { code, message } }`. */
class WebhookRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: HttpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * `POST /hooks/<workflowId>/<path>` starts a run of the workflow's latest deployed version from
 * its `trigger.webhook` node with that path. The caller proves it knows the workflow's secret,
 * either as a header or as an HMAC-SHA256 signature of the raw body (`sha256=<hex>`).
 *
 * Every error is JSON `{ error: { code, message } }`: 4xx for the caller's mistakes (a bad
 * %-escape, a NUL character, a body too large or nested too deep), 500 `INTERNAL` with a request
 * id for ours, never a stack, SQL or a path.
 */
export function webhookRouter(options: WebhookOptions): Router {
  const router = express.Router();
  router.post('/:workflowId/*path', express.raw({ type: () => true, limit: options.maxBodyBytes }), (req, res, next) => {
    handle(req, res, options.services).catch((error: unknown) => {
      if (error instanceof WebhookRefusal) return sendError(res, error.status, error.code, error.message);
      // A run that cannot start for a reason its owner can fix (e.g. a sub-workflow not deployed) is said plainly.
      const code = (error as { extensions?: { code?: string } }).extensions?.code;
      if (code === 'BAD_USER_INPUT' || code === 'NOT_FOUND') return sendError(res, 422, 'UNPROCESSABLE', (error as Error).message);
      next(error);
    });
  });
  router.use((error: unknown, _req: Request, res: Response, _next: express.NextFunction) => {
    const mistake = clientMistake(error, options.maxBodyBytes);
    if (mistake?.code === 'PAYLOAD_TOO_LARGE') return sendError(res, 413, 'PAYLOAD_TOO_LARGE', `body is larger than ${options.maxBodyBytes} bytes`);
    if (mistake) return sendError(res, mistake.status, mistake.code, mistake.message);
    const requestId = String(res.getHeader('x-request-id'));
    logInternalError(error, requestId);
    sendError(res, 500, 'INTERNAL', `internal error (request ${requestId})`, { requestId });
  });
  return router;
}

async function handle(req: Request, res: Response, services: Services): Promise<void> {
  const workflowId = String(req.params.workflowId ?? '');
  const pathParam = (req.params as Record<string, unknown>).path;
  const path = Array.isArray(pathParam) ? pathParam.join('/') : String(pathParam ?? '');
  // No workflow id or hook path has a control character; U+0000 cannot even reach PostgreSQL's text.
  if (hasControlCharacter(workflowId)) throw new WebhookRefusal(400, 'BAD_USER_INPUT', 'the workflow id in the URL contains a control character');
  if (hasControlCharacter(path)) throw new WebhookRefusal(400, 'BAD_USER_INPUT', 'the hook path in the URL contains a control character');
  const found = await services.workflows.getForWebhook(workflowId);
  // Unknown workflow, no deployed version, no such hook, or a bad secret all look alike to the caller.
  const notFound = () => sendError(res, 404, 'NOT_FOUND', 'no webhook here');
  if (!found) return notFound();
  const definition = found.version.definition as {
    nodes?: Array<{ id: string; type: string; config?: { path?: string; respond?: boolean; responseTimeoutMs?: number } }>;
  };
  const trigger = definition.nodes?.find((n) => n.type === webhookTrigger.type && n.config?.path === path);
  if (!trigger) return notFound();
  const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  if (!authentic(req, body, found.workflow.webhookSecret)) {
    return sendError(res, 401, 'UNAUTHENTICATED', `send the workflow's webhook secret in ${SECRET_HEADER}, or sign the body in ${SIGNATURE_HEADER}`);
  }
  const keyHeader = req.headers[IDEMPOTENCY_HEADER];
  const idempotencyKey = typeof keyHeader === 'string' && keyHeader.length > 0 ? keyHeader.slice(0, 200) : null;
  const input: JsonValue = {
    body: parseBody(body, String(req.headers['content-type'] ?? '')),
    headers: Object.fromEntries(FORWARDED_HEADERS.filter((h) => typeof req.headers[h] === 'string').map((h) => [h, String(req.headers[h])])),
    query: Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === 'string')) as Record<string, string>,
    path,
  };
  const { execution, created } = await services.executions.startTriggered(found.workflow, found.version, trigger.id, input, idempotencyKey);
  if (created) services.events.announce(execution);
  if (!trigger.config?.respond) {
    res.status(202).json({ executionId: execution.id, status: execution.status, duplicate: !created });
    return;
  }
  // Asked in the same turn as the wait begins: a run ingest still follows has not ended unannounced.
  const following = services.eventIngest.follows(execution.id);
  const ended = await services.events.whenEnded(execution.id, trigger.config.responseTimeoutMs ?? 30_000, { following });
  if (!ended) {
    res.status(202).json({ executionId: execution.id, status: 'RUNNING', duplicate: !created, message: 'still running; follow it with executionEvents' });
    return;
  }
  const ok = ended.status === 'COMPLETED';
  res
    .status(ok ? 200 : 500)
    .json({ executionId: ended.id, status: ended.status, duplicate: !created, ...(ok ? { result: ended.result } : { error: ended.error }) });
}

function authentic(req: Request, body: Buffer, secret: string): boolean {
  const given = req.headers[SECRET_HEADER];
  if (typeof given === 'string') return safeEqual(given, secret);
  const signature = req.headers[SIGNATURE_HEADER];
  if (typeof signature === 'string' && signature.startsWith('sha256=')) {
    const expected = createHmac('sha256', secret).update(body).digest('hex');
    return safeEqual(signature.slice('sha256='.length).toLowerCase(), expected);
  }
  return false;
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parseBody(body: Buffer, contentType: string): JsonValue {
  if (body.length === 0) return null;
  const text = body.toString('utf8');
  if (/\bjson\b/i.test(contentType)) {
    // Measured before parsing: a value nested 50,000 deep would overflow the stack of whatever
    // walks it later (serialising the run's input, for one).
    if (jsonNestingExceeds(text, VARIABLE_LIMITS.maxDepth)) {
      throw new WebhookRefusal(400, 'BAD_USER_INPUT', `the JSON body is nested more than ${VARIABLE_LIMITS.maxDepth} levels deep`);
    }
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  return text;
}
