import { edges, param, type BuiltInTemplate } from '../types.js';

/** A long list sent in batches by one durable loop that continues as new to keep its history small. */
export const batchLoop: BuiltInTemplate = {
  slug: 'batch-loop',
  name: 'Batch loop with continue-as-new',
  description:
    'Splits the input\'s "items" into batches and POSTs each batch to an endpoint, one after another. The loop continues as a new Temporal run every N batches, so tens of thousands of batches stay one execution with a small history. The result counts batches and items.',
  tags: ['loop', 'batch', 'continue-as-new', 'http'],
  parameters: [
    param('batchUrl', 'string', 'Endpoint that receives each batch as { batch, items }.', { required: true }),
    param('batchSize', 'number', 'Items per batch.', { default: 100 }),
    param('continueAsNewEvery', 'number', 'Batches per Temporal run before the loop continues as new (10 to 100,000).', {
      default: 500,
      fills: ['batches.continueAsNewEvery'],
    }),
    param('maxBatches', 'number', 'The most batches one run may send; a longer list fails the run before the first batch.', {
      default: 10_000,
      fills: ['batches.maxIterations'],
    }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Batch loop',
    description: 'Sends the input items in batches, continuing as new along the way.',
    params: { batchUrl: 'https://example.com/batches', batchSize: 100, continueAsNewEvery: 500, maxBatches: 10_000 },
    nodes: [
      { id: 'start', type: 'trigger.manual', name: 'Items to send', position: { x: 0, y: 0 }, config: {} },
      { id: 'init', type: 'set', name: 'Nothing sent yet', position: { x: 220, y: 0 }, config: { variables: { processed: '0' } } },
      {
        id: 'batches',
        type: 'loop',
        name: 'For each batch',
        position: { x: 440, y: 0 },
        config: { mode: 'forEach', expression: '[0..$ceil($count(input.items) / params.batchSize) - 1]', maxIterations: 10_000, continueAsNewEvery: 500 },
      },
      {
        id: 'slice',
        type: 'transform',
        name: "This batch's items",
        position: { x: 440, y: 160 },
        config: {
          expression:
            '( $first := loop.item * params.batchSize; [$filter(input.items, function($v, $i) { $i >= $first and $i < $first + params.batchSize })] )',
        },
      },
      {
        id: 'send',
        type: 'http.request',
        name: 'Send the batch',
        position: { x: 660, y: 160 },
        config: { method: 'POST', url: '{{ params.batchUrl }}', bodyExpression: "{ 'batch': loop.index, 'items': nodes.slice }" },
      },
      { id: 'tally', type: 'set', name: 'Count', position: { x: 880, y: 160 }, config: { variables: { processed: 'vars.processed + $count(nodes.slice)' } } },
      {
        id: 'out',
        type: 'output',
        name: 'Totals',
        position: { x: 660, y: 0 },
        config: { expression: "{ 'batches': nodes.batches.iterations, 'processed': vars.processed }" },
      },
    ],
    edges: edges(
      ['start', 'init'],
      ['init', 'batches'],
      ['batches', 'slice', 'body'],
      ['slice', 'send'],
      ['send', 'tally'],
      ['tally', 'batches'],
      ['batches', 'out', 'done'],
    ),
  },
};
