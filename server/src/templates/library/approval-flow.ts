import { edges, param, type BuiltInTemplate } from '../types.js';

/** A request waits for a named person's decision, with a deadline. */
export const approvalFlow: BuiltInTemplate = {
  slug: 'approval-flow',
  name: 'Approval flow',
  description:
    'Holds a request until an approver decides. Send the signal "approval" with { approved, by, reason }: an approval by one of the approvers completes with status "approved", anything else with "rejected" (and why); no decision before the deadline ends the run as "expired".',
  tags: ['approval', 'human-in-the-loop', 'signals'],
  parameters: [
    param('approvers', 'json', 'Who may approve: a list of names matched against the signal\'s "by" (an empty list lets anyone approve).', { required: true }),
    param('timeoutMs', 'number', 'How long to wait for a decision, in milliseconds (default 3 days).', { default: 259_200_000, fills: ['approval.timeoutMs'] }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Approval flow',
    description: "Waits for an approver's decision on the run's input, with a deadline.",
    params: { approvers: [], timeoutMs: 259_200_000 },
    nodes: [
      { id: 'start', type: 'trigger.manual', name: 'Request', position: { x: 0, y: 0 }, config: {} },
      {
        id: 'approval',
        type: 'wait.signal',
        name: 'Wait for a decision',
        position: { x: 220, y: 0 },
        config: { signal: 'approval', timeoutMs: 259_200_000, onTimeout: 'branch' },
      },
      {
        id: 'decide',
        type: 'condition',
        name: 'Approved by an approver?',
        position: { x: 440, y: -100 },
        config: { expression: 'nodes.approval.approved = true and ($count(params.approvers) = 0 or nodes.approval.by in params.approvers)' },
      },
      {
        id: 'approved',
        type: 'output',
        name: 'Approved',
        position: { x: 660, y: -160 },
        config: { expression: "{ 'status': 'approved', 'by': nodes.approval.by, 'request': input }" },
      },
      {
        id: 'rejected',
        type: 'output',
        name: 'Rejected',
        position: { x: 660, y: -40 },
        config: {
          expression:
            "{ 'status': 'rejected', 'by': nodes.approval.by, 'reason': nodes.approval.approved = true ? ('\"' & $string(nodes.approval.by) & '\" is not an approver') : nodes.approval.reason, 'request': input }",
        },
      },
      { id: 'expired', type: 'output', name: 'Expired', position: { x: 440, y: 120 }, config: { expression: "{ 'status': 'expired', 'request': input }" } },
    ],
    edges: edges(
      ['start', 'approval'],
      ['approval', 'decide', 'received'],
      ['approval', 'expired', 'timeout'],
      ['decide', 'approved', 'true'],
      ['decide', 'rejected', 'false'],
    ),
  },
};
