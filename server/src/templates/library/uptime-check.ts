import { edges, param, type BuiltInTemplate } from '../types.js';

/** A site checked on a schedule; an alert when it answers with an error. */
export const uptimeCheck: BuiltInTemplate = {
  slug: 'uptime-check',
  name: 'Uptime check',
  description:
    'Every few minutes, requests a URL; a status of 400 or more posts an alert ({ text, url, status }) to a chat or paging webhook. The result says whether the site was up. (A site that does not answer at all fails the run after the retries, which shows as a failed execution.)',
  tags: ['monitoring', 'schedule', 'http', 'alerting'],
  parameters: [
    param('url', 'string', 'The URL to check.', { required: true }),
    param('alertUrl', 'string', 'Where to POST the alert.', { required: true }),
    param('cron', 'string', 'How often: a five-field cron line.', { default: '*/5 * * * *', fills: ['every.cron'] }),
    param('timeoutMs', 'number', 'How long the site may take to answer, in milliseconds.', { default: 10_000, fills: ['probe.timeoutMs'] }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Uptime check',
    description: 'Checks a URL on a schedule and alerts when it is down.',
    params: { url: 'https://example.com/', alertUrl: 'https://example.com/alert', cron: '*/5 * * * *', timeoutMs: 10_000 },
    nodes: [
      { id: 'every', type: 'trigger.schedule', name: 'Every 5 minutes', position: { x: 0, y: 0 }, config: { cron: '*/5 * * * *' } },
      {
        id: 'probe',
        type: 'http.request',
        name: 'Request the URL',
        position: { x: 220, y: 0 },
        config: {
          method: 'GET',
          url: '{{ params.url }}',
          timeoutMs: 10_000,
          failOnHttpError: false,
          retry: { maxAttempts: 2, initialIntervalMs: 1_000, backoffCoefficient: 2, maximumIntervalMs: 5_000 },
        },
      },
      { id: 'healthy', type: 'condition', name: 'Up?', position: { x: 440, y: 0 }, config: { expression: 'nodes.probe.status < 400' } },
      { id: 'up', type: 'output', name: 'Up', position: { x: 660, y: -80 }, config: { expression: "{ 'up': true, 'status': nodes.probe.status }" } },
      {
        id: 'alert',
        type: 'http.request',
        name: 'Alert',
        position: { x: 660, y: 80 },
        config: {
          method: 'POST',
          url: '{{ params.alertUrl }}',
          bodyExpression: "{ 'text': params.url & ' answered ' & $string(nodes.probe.status), 'url': params.url, 'status': nodes.probe.status }",
        },
      },
      { id: 'down', type: 'output', name: 'Down', position: { x: 880, y: 80 }, config: { expression: "{ 'up': false, 'status': nodes.probe.status }" } },
    ],
    edges: edges(['every', 'probe'], ['probe', 'healthy'], ['healthy', 'up', 'true'], ['healthy', 'alert', 'false'], ['alert', 'down']),
  },
};
