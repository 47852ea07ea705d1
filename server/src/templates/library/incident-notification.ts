import { edges, param, type BuiltInTemplate } from '../types.js';

/** Alerts from a monitoring webhook routed by severity: page and chat, chat only, or nothing. */
export const incidentNotification: BuiltInTemplate = {
  slug: 'incident-notification',
  name: 'Incident notification',
  description:
    'Receives alerts from a monitoring system by webhook ({ title, severity, source, url }) and routes them by severity: "critical" pages the on-call and posts to chat at the same time, "warning" posts to chat, anything else is recorded and ignored. The webhook is answered with what was notified.',
  tags: ['incident', 'webhook', 'alerting', 'switch', 'parallel'],
  parameters: [
    param('path', 'string', 'The webhook path: alerts go to POST /hooks/<workflowId>/<path>.', { default: 'alerts', fills: ['alert.path'] }),
    param('pagerUrl', 'string', "The paging service's endpoint (receives the alert for critical ones).", { required: true }),
    param('chatUrl', 'string', 'A chat webhook (receives { text } for critical and warning alerts).', { required: true }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Incident notification',
    description: 'Routes monitoring alerts to the pager and chat by severity.',
    params: { path: 'alerts', pagerUrl: 'https://example.com/page', chatUrl: 'https://example.com/chat' },
    nodes: [
      { id: 'alert', type: 'trigger.webhook', name: 'Alert received', position: { x: 0, y: 0 }, config: { path: 'alerts', respond: true } },
      {
        id: 'normalize',
        type: 'transform',
        name: 'Normalize',
        position: { x: 220, y: 0 },
        config: {
          expression:
            "{ 'title': $exists(input.body.title) ? $string(input.body.title) : 'Untitled alert', 'severity': $exists(input.body.severity) ? $lowercase($string(input.body.severity)) : 'info', 'source': input.body.source, 'url': input.body.url }",
        },
      },
      {
        id: 'route',
        type: 'switch',
        name: 'By severity',
        position: { x: 440, y: 0 },
        config: {
          expression: 'nodes.normalize.severity',
          cases: [
            { handle: 'critical', value: 'critical' },
            { handle: 'warning', value: 'warning' },
          ],
        },
      },
      { id: 'page', type: 'parallel', name: 'Page and chat', position: { x: 660, y: -160 }, config: {} },
      {
        id: 'pager',
        type: 'http.request',
        name: 'Page on-call',
        position: { x: 880, y: -240 },
        config: { method: 'POST', url: '{{ params.pagerUrl }}', bodyExpression: 'nodes.normalize' },
      },
      {
        id: 'chatCritical',
        type: 'http.request',
        name: 'Chat (critical)',
        position: { x: 880, y: -100 },
        config: {
          method: 'POST',
          url: '{{ params.chatUrl }}',
          bodyExpression: "{ 'text': 'CRITICAL: ' & nodes.normalize.title & ($exists(nodes.normalize.url) ? ' ' & nodes.normalize.url : '') }",
        },
      },
      { id: 'notified', type: 'join', name: 'Both notified', position: { x: 1100, y: -160 }, config: {} },
      {
        id: 'paged',
        type: 'output',
        name: 'Paged',
        position: { x: 1320, y: -160 },
        config: { expression: "{ 'severity': 'critical', 'notified': ['pager', 'chat'], 'title': nodes.normalize.title }" },
      },
      {
        id: 'chatWarning',
        type: 'http.request',
        name: 'Chat (warning)',
        position: { x: 660, y: 20 },
        config: {
          method: 'POST',
          url: '{{ params.chatUrl }}',
          bodyExpression: "{ 'text': 'Warning: ' & nodes.normalize.title & ($exists(nodes.normalize.url) ? ' ' & nodes.normalize.url : '') }",
        },
      },
      {
        id: 'warned',
        type: 'output',
        name: 'Chat only',
        position: { x: 880, y: 20 },
        config: { expression: "{ 'severity': 'warning', 'notified': ['chat'], 'title': nodes.normalize.title }" },
      },
      {
        id: 'ignored',
        type: 'output',
        name: 'Ignored',
        position: { x: 660, y: 160 },
        config: { expression: "{ 'severity': nodes.normalize.severity, 'notified': [], 'title': nodes.normalize.title }" },
      },
    ],
    edges: edges(
      ['alert', 'normalize'],
      ['normalize', 'route'],
      ['route', 'page', 'critical'],
      ['page', 'pager'],
      ['page', 'chatCritical'],
      ['pager', 'notified'],
      ['chatCritical', 'notified'],
      ['notified', 'paged'],
      ['route', 'chatWarning', 'warning'],
      ['chatWarning', 'warned'],
      ['route', 'ignored', 'default'],
    ),
  },
};
