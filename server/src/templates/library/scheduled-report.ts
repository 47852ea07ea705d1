import { edges, param, type BuiltInTemplate } from '../types.js';

/** On a cron schedule, reads data over HTTP, summarizes it and posts the report. */
export const scheduledReport: BuiltInTemplate = {
  slug: 'scheduled-report',
  name: 'Scheduled report via HTTP',
  description:
    'On a schedule (weekday mornings by default), fetches a JSON list from a source URL (or its "items"), counts the rows and totals one numeric field, and posts the report to a destination such as a chat webhook.',
  tags: ['schedule', 'report', 'http'],
  parameters: [
    param('sourceUrl', 'string', 'Where to read the data: a URL answering a JSON list, or an object with an "items" list.', { required: true }),
    param('reportUrl', 'string', 'Where to POST the report (JSON: title, text, count, total).', { required: true }),
    param('title', 'string', "The report's title.", { default: 'Daily report' }),
    param('sumField', 'string', 'A numeric field of each row to total (empty: no total).', { default: '' }),
    param('cron', 'string', 'When to run: a five-field cron line (minute hour day month weekday).', { default: '0 8 * * 1-5', fills: ['schedule.cron'] }),
    param('timezone', 'string', 'Time zone of the cron line.', { default: 'UTC', fills: ['schedule.timezone'] }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Scheduled report',
    description: 'Fetches data, summarizes it and posts a report, on a schedule.',
    params: {
      sourceUrl: 'https://example.com/data.json',
      reportUrl: 'https://example.com/report',
      title: 'Daily report',
      sumField: '',
      cron: '0 8 * * 1-5',
      timezone: 'UTC',
    },
    nodes: [
      { id: 'schedule', type: 'trigger.schedule', name: 'Every weekday at 08:00', position: { x: 0, y: 0 }, config: { cron: '0 8 * * 1-5', timezone: 'UTC' } },
      { id: 'fetch', type: 'http.request', name: 'Fetch the data', position: { x: 220, y: 0 }, config: { method: 'GET', url: '{{ params.sourceUrl }}' } },
      {
        id: 'summarize',
        type: 'transform',
        name: 'Summarize',
        position: { x: 440, y: 0 },
        config: {
          expression: [
            '(',
            "  $rows := [$type(nodes.fetch.body) = 'object' and $exists(nodes.fetch.body.items) ? nodes.fetch.body.items : nodes.fetch.body];",
            "  $total := params.sumField = '' ? null : $sum($rows.$number($lookup($, $$.params.sumField)));",
            "  { 'title': params.title, 'count': $count($rows), 'total': $total,",
            "    'text': params.title & ': ' & $string($count($rows)) & ' rows' & ($total = null ? '' : ', ' & params.sumField & ' total ' & $string($total)) }",
            ')',
          ].join('\n'),
        },
      },
      {
        id: 'send',
        type: 'http.request',
        name: 'Post the report',
        position: { x: 660, y: 0 },
        config: { method: 'POST', url: '{{ params.reportUrl }}', bodyExpression: 'nodes.summarize' },
      },
      {
        id: 'out',
        type: 'output',
        name: 'Result',
        position: { x: 880, y: 0 },
        config: { expression: "{ 'report': nodes.summarize, 'delivered': nodes.send.status }" },
      },
    ],
    edges: edges(['schedule', 'fetch'], ['fetch', 'summarize'], ['summarize', 'send'], ['send', 'out']),
  },
};
