import { edges, param, type BuiltInTemplate } from '../types.js';

/** One incoming webhook delivered to two HTTP endpoints at once. */
export const webhookFanOut: BuiltInTemplate = {
  slug: 'webhook-fan-out',
  name: 'Webhook to HTTP fan-out',
  description:
    'Receives a webhook and forwards its JSON body to two endpoints in parallel (each with retries), then answers the caller with both delivery statuses. Add branches in the editor to reach more endpoints.',
  tags: ['webhook', 'http', 'parallel', 'integration'],
  parameters: [
    param('path', 'string', 'The webhook path: deliveries go to POST /hooks/<workflowId>/<path>.', { default: 'events', fills: ['hook.path'] }),
    param('primaryUrl', 'string', 'First endpoint to POST the body to.', { required: true }),
    param('secondaryUrl', 'string', 'Second endpoint to POST the body to.', { required: true }),
    param('respond', 'boolean', 'Answer the webhook with the delivery statuses (true) or at once with 202 (false).', {
      default: true,
      fills: ['hook.respond'],
    }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Webhook fan-out',
    description: 'Forwards each webhook delivery to two endpoints in parallel.',
    params: { path: 'events', primaryUrl: 'https://example.com/a', secondaryUrl: 'https://example.com/b', respond: true },
    nodes: [
      { id: 'hook', type: 'trigger.webhook', name: 'Incoming webhook', position: { x: 0, y: 0 }, config: { path: 'events', respond: true } },
      { id: 'fan', type: 'parallel', name: 'Fan out', position: { x: 220, y: 0 }, config: {} },
      {
        id: 'primary',
        type: 'http.request',
        name: 'Primary endpoint',
        position: { x: 440, y: -80 },
        config: { method: 'POST', url: '{{ params.primaryUrl }}', headers: { 'x-tandem-webhook-path': '{{ params.path }}' }, bodyExpression: 'input.body' },
      },
      {
        id: 'secondary',
        type: 'http.request',
        name: 'Secondary endpoint',
        position: { x: 440, y: 80 },
        config: { method: 'POST', url: '{{ params.secondaryUrl }}', headers: { 'x-tandem-webhook-path': '{{ params.path }}' }, bodyExpression: 'input.body' },
      },
      { id: 'all', type: 'join', name: 'Both delivered', position: { x: 660, y: 0 }, config: {} },
      {
        id: 'out',
        type: 'output',
        name: 'Delivery report',
        position: { x: 880, y: 0 },
        config: {
          expression:
            "{ 'delivered': [{ 'url': params.primaryUrl, 'status': nodes.primary.status }, { 'url': params.secondaryUrl, 'status': nodes.secondary.status }] }",
        },
      },
    ],
    edges: edges(['hook', 'fan'], ['fan', 'primary'], ['fan', 'secondary'], ['primary', 'all'], ['secondary', 'all'], ['all', 'out']),
  },
};
