import { edges, param, type BuiltInTemplate } from '../types.js';

/** Extract over HTTP, keep the rows that matter with the fields that matter, load them elsewhere. */
export const etl: BuiltInTemplate = {
  slug: 'etl',
  name: 'ETL: extract, filter, load',
  description:
    'Nightly (or whenever started by hand), reads records from a source endpoint, keeps those whose filter field has one of the wanted values, keeps only the chosen fields, and POSTs { records } to a destination, skipping the load when nothing is left. The result counts extracted and loaded records.',
  tags: ['etl', 'data', 'schedule', 'http'],
  parameters: [
    param('sourceUrl', 'string', 'Where to read the records (GET, JSON).', { required: true }),
    param('destinationUrl', 'string', 'Where to POST the kept records.', { required: true }),
    param('recordsField', 'string', 'The field of the answer that holds the list (empty: the answer is the list).', { default: 'records' }),
    param('filterField', 'string', 'The field a record is filtered on.', { default: 'status' }),
    param('filterValues', 'json', 'The values of the filter field to keep (an empty list keeps every record).', { default: ['active'] }),
    param('fields', 'json', 'The fields to keep in each record (an empty list keeps them all).', { default: [] }),
    param('cron', 'string', 'When to run on a schedule: a five-field cron line.', { default: '0 2 * * *', fills: ['nightly.cron'] }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'ETL',
    description: 'Extracts records, filters and reshapes them, loads them elsewhere.',
    params: {
      sourceUrl: 'https://example.com/export',
      destinationUrl: 'https://example.com/import',
      recordsField: 'records',
      filterField: 'status',
      filterValues: ['active'],
      fields: [],
      cron: '0 2 * * *',
    },
    nodes: [
      { id: 'manual', type: 'trigger.manual', name: 'Run now', position: { x: 0, y: -80 }, config: {} },
      { id: 'nightly', type: 'trigger.schedule', name: 'Nightly', position: { x: 0, y: 80 }, config: { cron: '0 2 * * *' } },
      { id: 'extract', type: 'http.request', name: 'Extract', position: { x: 220, y: 0 }, config: { method: 'GET', url: '{{ params.sourceUrl }}' } },
      {
        id: 'shape',
        type: 'transform',
        name: 'Filter and reshape',
        position: { x: 440, y: 0 },
        config: {
          expression: [
            '(',
            "  $rows := [params.recordsField = '' ? nodes.extract.body : $lookup(nodes.extract.body, params.recordsField)];",
            '  $kept := [$rows[$count($$.params.filterValues) = 0 or $lookup($, $$.params.filterField) in $$.params.filterValues]];',
            '  $shaped := $count(params.fields) = 0 ? $kept : [$kept.$sift($, function($v, $k) { $k in $$.params.fields })];',
            "  { 'extracted': $count($rows), 'records': $shaped }",
            ')',
          ].join('\n'),
        },
      },
      { id: 'any', type: 'condition', name: 'Anything to load?', position: { x: 660, y: 0 }, config: { expression: '$count(nodes.shape.records) > 0' } },
      {
        id: 'load',
        type: 'http.request',
        name: 'Load',
        position: { x: 880, y: -80 },
        config: { method: 'POST', url: '{{ params.destinationUrl }}', bodyExpression: "{ 'records': nodes.shape.records }" },
      },
      {
        id: 'loaded',
        type: 'output',
        name: 'Loaded',
        position: { x: 1100, y: -80 },
        config: { expression: "{ 'extracted': nodes.shape.extracted, 'loaded': $count(nodes.shape.records) }" },
      },
      {
        id: 'nothing',
        type: 'output',
        name: 'Nothing to load',
        position: { x: 880, y: 80 },
        config: { expression: "{ 'extracted': nodes.shape.extracted, 'loaded': 0 }" },
      },
    ],
    edges: edges(
      ['manual', 'extract'],
      ['nightly', 'extract'],
      ['extract', 'shape'],
      ['shape', 'any'],
      ['any', 'load', 'true'],
      ['load', 'loaded'],
      ['any', 'nothing', 'false'],
    ),
  },
};
