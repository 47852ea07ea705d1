import { edges, param, type BuiltInTemplate } from '../types.js';

/** Another workflow run once per item, as linked child runs, its results collected. */
export const forEachSubworkflow: BuiltInTemplate = {
  slug: 'for-each-subworkflow',
  name: 'Run a workflow for each item',
  description:
    "Runs one of your deployed workflows as a child run for each item of the input's \"items\" (the item is the child's input), one after another, and collects the children's results in order. Each child is its own execution, linked to this run.",
  tags: ['subworkflow', 'loop', 'composition'],
  parameters: [
    param('workflowId', 'string', 'The id of the workflow to run for each item (it must be deployed; its latest version runs).', {
      required: true,
      fills: ['run.workflowId'],
    }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'For each item, run a workflow',
    description: 'Runs a child workflow per item and collects the results.',
    params: { workflowId: 'choose-a-workflow' },
    nodes: [
      { id: 'start', type: 'trigger.manual', name: 'Items', position: { x: 0, y: 0 }, config: {} },
      { id: 'init', type: 'set', name: 'No results yet', position: { x: 220, y: 0 }, config: { variables: { results: '[]' } } },
      { id: 'each', type: 'loop', name: 'For each item', position: { x: 440, y: 0 }, config: { mode: 'forEach', expression: '[input.items]' } },
      {
        id: 'run',
        type: 'subworkflow',
        name: 'Run the workflow',
        position: { x: 440, y: 160 },
        config: { workflowId: 'choose-a-workflow', version: 'latest', inputExpression: 'loop.item' },
      },
      { id: 'collect', type: 'set', name: 'Collect', position: { x: 660, y: 160 }, config: { variables: { results: '$append(vars.results, [nodes.run])' } } },
      {
        id: 'out',
        type: 'output',
        name: 'Results',
        position: { x: 660, y: 0 },
        config: { expression: "{ 'count': nodes.each.iterations, 'results': vars.results }" },
      },
    ],
    edges: edges(['start', 'init'], ['init', 'each'], ['each', 'run', 'body'], ['run', 'collect'], ['collect', 'each'], ['each', 'out', 'done']),
  },
};
