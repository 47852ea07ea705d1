import { edges, param, type BuiltInTemplate } from '../types.js';

/** Polls a status endpoint on a durable timer until a job reaches a final state. */
export const pollUntilDone: BuiltInTemplate = {
  slug: 'poll-until-done',
  name: 'Poll until done',
  description:
    'Asks a status endpoint (for the input\'s "jobId") at a fixed interval until a field of its JSON answer reaches a final value: a "done" value completes the run with the last answer, a "failed" value fails it, and too many polls fail it too. Waiting uses durable timers, so a poll can span days.',
  tags: ['polling', 'loop', 'http', 'timer'],
  parameters: [
    param('statusUrl', 'string', 'The status endpoint (GET, JSON answer); when the input has a "jobId", /<jobId> is appended.', { required: true }),
    param('statusField', 'string', 'The field of the answer that holds the state.', { default: 'status' }),
    param('doneValues', 'json', 'States that mean success.', { default: ['done', 'succeeded', 'completed'] }),
    param('failedValues', 'json', 'States that mean failure.', { default: ['failed', 'error', 'cancelled'] }),
    param('intervalMs', 'number', 'Wait between polls, in milliseconds.', { default: 30_000, fills: ['wait.durationMs'] }),
    param('maxPolls', 'number', 'Give up (fail) after this many polls.', { default: 120, fills: ['poll.maxIterations'] }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Poll until done',
    description: 'Polls a status endpoint until the job is finished.',
    params: {
      statusUrl: 'https://example.com/jobs',
      statusField: 'status',
      doneValues: ['done', 'succeeded', 'completed'],
      failedValues: ['failed', 'error', 'cancelled'],
      intervalMs: 30_000,
      maxPolls: 120,
    },
    nodes: [
      { id: 'start', type: 'trigger.manual', name: 'Job to watch', position: { x: 0, y: 0 }, config: {} },
      { id: 'init', type: 'set', name: 'Not finished', position: { x: 220, y: 0 }, config: { variables: { finished: 'false', state: 'null' } } },
      {
        id: 'poll',
        type: 'loop',
        name: 'Until finished',
        position: { x: 440, y: 0 },
        config: { mode: 'while', expression: 'vars.finished = false', maxIterations: 120 },
      },
      {
        id: 'check',
        type: 'http.request',
        name: 'Ask the status',
        position: { x: 440, y: 160 },
        config: { method: 'GET', url: "{{ params.statusUrl }}{{ $exists(input.jobId) ? '/' & $encodeUrlComponent($string(input.jobId)) : '' }}" },
      },
      {
        id: 'judge',
        type: 'set',
        name: 'Read the state',
        position: { x: 660, y: 160 },
        config: {
          variables: {
            state: '$lookup(nodes.check.body, params.statusField)',
            finished: '$lookup(nodes.check.body, params.statusField) in $append(params.doneValues, params.failedValues)',
          },
        },
      },
      { id: 'again', type: 'condition', name: 'Finished?', position: { x: 880, y: 160 }, config: { expression: 'vars.finished' } },
      { id: 'wait', type: 'delay', name: 'Wait before the next poll', position: { x: 880, y: 300 }, config: { durationMs: 30_000 } },
      { id: 'outcome', type: 'condition', name: 'Failed?', position: { x: 660, y: 0 }, config: { expression: 'vars.state in params.failedValues' } },
      { id: 'failed', type: 'fail', name: 'The job failed', position: { x: 880, y: -80 }, config: { message: 'the job ended as "{{ vars.state }}"' } },
      {
        id: 'out',
        type: 'output',
        name: 'Final answer',
        position: { x: 880, y: 40 },
        config: { expression: "{ 'status': vars.state, 'polls': nodes.poll.iterations, 'response': nodes.check.body }" },
      },
    ],
    edges: edges(
      ['start', 'init'],
      ['init', 'poll'],
      ['poll', 'check', 'body'],
      ['check', 'judge'],
      ['judge', 'again'],
      ['again', 'poll', 'true'],
      ['again', 'wait', 'false'],
      ['wait', 'poll'],
      ['poll', 'outcome', 'done'],
      ['outcome', 'failed', 'true'],
      ['outcome', 'out', 'false'],
    ),
  },
};
