import { ActivityFailure, ApplicationFailure, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import {
  HTTP_BODY_EXCERPT_LIMIT,
  secretPlaceholdersIn,
  truncateText,
  type ConfigOf,
  type httpRequest as httpRequestType,
  type JsonValue,
} from '@tandem/schema';
import { StepError, type NodeExecutor, type StepContext } from '../step.js';
import type { HttpRequestInput, InterpreterActivities } from '../types.js';

type HttpConfig = ConfigOf<typeof httpRequestType>;

/**
 * The request runs as an activity with Temporal's own retries off: the interpreter retries
 * with backoff itself so that every attempt is visible as a STEP_RETRYING event.
 */
export const httpRequest: NodeExecutor<HttpConfig> = {
  async execute(context) {
    const { config, retrying, recordHttp } = context;
    const request = await httpRequestOf(context);

    const { httpRequest: call } = proxyActivities<InterpreterActivities>({
      // The activity bounds the request itself; this bound catches a worker that died mid-call.
      startToCloseTimeout: config.timeoutMs + 5_000,
      // The activity heartbeats every second: a dead worker is noticed quickly, and cancellation reaches it.
      heartbeatTimeout: 10_000,
      retry: { maximumAttempts: 1 },
    });
    const { maxAttempts, initialIntervalMs, backoffCoefficient, maximumIntervalMs } = config.retry;
    const sent = { method: request.method, url: request.url, headers: request.headers };
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await call(request);
        recordHttp({ request: sent, response: { status: response.status, bodyExcerpt: excerpt(response.body) } });
        return { output: response as unknown as JsonValue };
      } catch (error) {
        if (isCancellation(error)) throw error; // the run is being cancelled: not a failure to retry
        const cause = rootCause(error);
        const answered = cause instanceof ApplicationFailure ? (cause.details?.[0] as { status?: unknown; body?: unknown } | undefined) : undefined;
        recordHttp({
          request: sent,
          ...(typeof answered?.status === 'number' ? { response: { status: answered.status, bodyExcerpt: excerpt(answered.body as JsonValue) } } : {}),
        });
        const retryable = !(cause instanceof ApplicationFailure && cause.nonRetryable);
        if (!retryable || attempt >= maxAttempts) {
          const message = cause.message || String(error);
          const suffix = attempt > 1 ? ` (after ${attempt} attempts)` : '';
          throw new StepError(`${message}${suffix}`, cause instanceof ApplicationFailure ? (cause.type ?? 'Error') : cause.name, message);
        }
        const delayMs = Math.min(maximumIntervalMs, Math.round(initialIntervalMs * backoffCoefficient ** (attempt - 1)));
        retrying(attempt, cause, delayMs);
        if (delayMs > 0) await sleep(delayMs);
      }
    }
  },
};

/** The request a node sends: its URL, headers and body rendered over the run's scope (no I/O; a dry run renders it too). */
export async function httpRequestOf({ node, config, evaluate, render, secrets }: StepContext<HttpConfig>): Promise<HttpRequestInput> {
  const headers: Record<string, string> = {};
  for (const name of Object.keys(config.headers)) headers[name] = await render(['headers', name]);
  const request: HttpRequestInput = {
    nodeId: node.id,
    method: config.method,
    url: await render(['url']),
    headers,
    timeoutMs: config.timeoutMs,
    failOnHttpError: config.failOnHttpError,
  };
  if (config.bodyExpression !== undefined) request.body = await evaluate(['bodyExpression']);
  // Only the activity turns `secrets.NAME` placeholders into values; it learns whose secrets from here.
  if (secretPlaceholdersIn([request.url, headers, request.body ?? null], secrets.nonce).size > 0) request.secrets = secrets;
  return request;
}

/** The start of a response body as text, for the step's record. */
function excerpt(body: JsonValue | undefined): string {
  return truncateText(typeof body === 'string' ? body : (JSON.stringify(body ?? null) ?? ''), HTTP_BODY_EXCERPT_LIMIT);
}

function rootCause(error: unknown): Error {
  let current: unknown = error;
  while (current instanceof ActivityFailure && current.cause) current = current.cause;
  return current instanceof Error ? current : new Error(String(current));
}
