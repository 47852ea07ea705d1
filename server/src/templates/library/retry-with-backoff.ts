import { edges, param, type BuiltInTemplate } from '../types.js';

/** One HTTP call made reliable: retried with exponential backoff on errors, 429 and 5xx. */
export const retryWithBackoff: BuiltInTemplate = {
  slug: 'retry-with-backoff',
  name: 'HTTP call with retry and backoff',
  description:
    "Calls an endpoint with the run's input as JSON body and retries on network errors, timeouts, 408, 429 and 5xx, waiting longer after each failed attempt (initial interval × coefficient^n, capped). The result is the final status and body.",
  tags: ['http', 'retry', 'reliability'],
  parameters: [
    param('url', 'string', 'The endpoint to call.', { required: true }),
    param('method', 'string', 'HTTP method: GET, POST, PUT, PATCH, DELETE or HEAD (GET and HEAD send no body).', { default: 'POST', fills: ['call.method'] }),
    param('maxAttempts', 'number', 'Attempts in total, 1 to 20.', { default: 5, fills: ['call.retry.maxAttempts'] }),
    param('initialIntervalMs', 'number', 'Wait before the first retry, in milliseconds.', { default: 1_000, fills: ['call.retry.initialIntervalMs'] }),
    param('backoffCoefficient', 'number', 'Each wait is this many times the previous one (1 to 10).', { default: 2, fills: ['call.retry.backoffCoefficient'] }),
    param('maximumIntervalMs', 'number', 'The longest wait between attempts, in milliseconds.', { default: 60_000, fills: ['call.retry.maximumIntervalMs'] }),
    param('attemptTimeoutMs', 'number', 'How long one attempt may take, in milliseconds.', { default: 10_000, fills: ['call.timeoutMs'] }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'HTTP call with retry',
    description: 'Calls an endpoint, retrying with exponential backoff.',
    params: {
      url: 'https://example.com/api',
      method: 'POST',
      maxAttempts: 5,
      initialIntervalMs: 1_000,
      backoffCoefficient: 2,
      maximumIntervalMs: 60_000,
      attemptTimeoutMs: 10_000,
    },
    nodes: [
      { id: 'start', type: 'trigger.manual', name: 'Start', position: { x: 0, y: 0 }, config: {} },
      {
        id: 'call',
        type: 'http.request',
        name: 'Call with retries',
        position: { x: 220, y: 0 },
        config: {
          method: 'POST',
          url: '{{ params.url }}',
          bodyExpression: "params.method in ['GET', 'HEAD'] ? null : input",
          timeoutMs: 10_000,
          retry: { maxAttempts: 5, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 60_000 },
        },
      },
      {
        id: 'out',
        type: 'output',
        name: 'Response',
        position: { x: 440, y: 0 },
        config: { expression: "{ 'status': nodes.call.status, 'body': nodes.call.body }" },
      },
    ],
    edges: edges(['start', 'call'], ['call', 'out']),
  },
};
