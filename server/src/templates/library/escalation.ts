import { edges, param, type BuiltInTemplate } from '../types.js';

/** Notify the on-call person; without an acknowledgement in time, escalate. */
export const escalation: BuiltInTemplate = {
  slug: 'escalation',
  name: 'Escalation with timeout',
  description:
    'Notifies the primary contact and waits for the signal "ack" ({ by }). Without one in time, it notifies the escalation contact and waits again; nobody acknowledging fails the run. The result says who acknowledged and whether it was escalated.',
  tags: ['escalation', 'on-call', 'signals', 'timeout', 'http'],
  parameters: [
    param('notifyUrl', 'string', "Where to POST the first notification (the primary contact's pager or chat webhook).", { required: true }),
    param('escalationUrl', 'string', 'Where to POST the escalation.', { required: true }),
    param('ackTimeoutMs', 'number', 'How long the primary contact has to acknowledge, in milliseconds.', { default: 900_000, fills: ['ack.timeoutMs'] }),
    param('escalationTimeoutMs', 'number', 'How long the escalation contact has, in milliseconds.', { default: 3_600_000, fills: ['escalatedAck.timeoutMs'] }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Escalation',
    description: 'Notifies, waits for an acknowledgement, escalates when none comes.',
    params: { notifyUrl: 'https://example.com/notify', escalationUrl: 'https://example.com/escalate', ackTimeoutMs: 900_000, escalationTimeoutMs: 3_600_000 },
    nodes: [
      { id: 'start', type: 'trigger.manual', name: 'Incident', position: { x: 0, y: 0 }, config: {} },
      {
        id: 'notify',
        type: 'http.request',
        name: 'Notify primary',
        position: { x: 220, y: 0 },
        config: { method: 'POST', url: '{{ params.notifyUrl }}', bodyExpression: "{ 'level': 'primary', 'incident': input }" },
      },
      { id: 'ack', type: 'wait.signal', name: 'Wait for ack', position: { x: 440, y: 0 }, config: { signal: 'ack', timeoutMs: 900_000, onTimeout: 'branch' } },
      {
        id: 'acknowledged',
        type: 'output',
        name: 'Acknowledged',
        position: { x: 660, y: -80 },
        config: { expression: "{ 'status': 'acknowledged', 'by': nodes.ack.by, 'escalated': false }" },
      },
      {
        id: 'escalate',
        type: 'http.request',
        name: 'Escalate',
        position: { x: 660, y: 80 },
        config: {
          method: 'POST',
          url: '{{ params.escalationUrl }}',
          bodyExpression: "{ 'level': 'escalation', 'incident': input, 'unacknowledgedForMs': params.ackTimeoutMs }",
        },
      },
      {
        id: 'escalatedAck',
        type: 'wait.signal',
        name: 'Wait for ack again',
        position: { x: 880, y: 80 },
        config: { signal: 'ack', timeoutMs: 3_600_000, onTimeout: 'branch' },
      },
      {
        id: 'acknowledgedLate',
        type: 'output',
        name: 'Acknowledged after escalation',
        position: { x: 1100, y: 0 },
        config: { expression: "{ 'status': 'acknowledged', 'by': nodes.escalatedAck.by, 'escalated': true }" },
      },
      {
        id: 'unanswered',
        type: 'fail',
        name: 'Nobody answered',
        position: { x: 1100, y: 160 },
        config: { message: 'nobody acknowledged the incident, even after escalation' },
      },
    ],
    edges: edges(
      ['start', 'notify'],
      ['notify', 'ack'],
      ['ack', 'acknowledged', 'received'],
      ['ack', 'escalate', 'timeout'],
      ['escalate', 'escalatedAck'],
      ['escalatedAck', 'acknowledgedLate', 'received'],
      ['escalatedAck', 'unanswered', 'timeout'],
    ),
  },
};
