import { edges, param, type BuiltInTemplate } from '../types.js';

/** Each record looked up in another system and merged with what it knows, then delivered. */
export const dataEnrichment: BuiltInTemplate = {
  slug: 'data-enrichment',
  name: 'Data enrichment',
  description:
    "For each record of the input's \"records\", looks it up by a key field (GET <lookupUrl>?<keyField>=<value>) and merges the answer's fields into it (the record's own fields win; a failed lookup leaves it as it was), then POSTs { records } to a destination. The result is the enriched records.",
  tags: ['data', 'enrichment', 'loop', 'http'],
  parameters: [
    param('lookupUrl', 'string', 'The lookup endpoint; the key is added as a query parameter.', { required: true }),
    param('keyField', 'string', 'The record field used as the lookup key.', { default: 'email' }),
    param('destinationUrl', 'string', 'Where to POST the enriched records.', { required: true }),
  ],
  definition: {
    format: 'tandem.workflow/v1',
    name: 'Data enrichment',
    description: 'Looks up each record and merges in what another system knows about it.',
    params: { lookupUrl: 'https://example.com/people', keyField: 'email', destinationUrl: 'https://example.com/import' },
    nodes: [
      { id: 'start', type: 'trigger.manual', name: 'Records', position: { x: 0, y: 0 }, config: {} },
      { id: 'init', type: 'set', name: 'Nothing enriched yet', position: { x: 220, y: 0 }, config: { variables: { enriched: '[]' } } },
      { id: 'each', type: 'loop', name: 'For each record', position: { x: 440, y: 0 }, config: { mode: 'forEach', expression: '[input.records]' } },
      {
        id: 'lookup',
        type: 'http.request',
        name: 'Look up',
        position: { x: 440, y: 160 },
        config: {
          method: 'GET',
          url: '{{ params.lookupUrl }}?{{ params.keyField }}={{ $encodeUrlComponent($string($lookup(loop.item, params.keyField))) }}',
          failOnHttpError: false,
        },
      },
      {
        id: 'merge',
        type: 'set',
        name: 'Merge',
        position: { x: 660, y: 160 },
        config: {
          variables: {
            enriched:
              "$append(vars.enriched, [$merge([nodes.lookup.status < 300 and $type(nodes.lookup.body) = 'object' ? nodes.lookup.body : {}, loop.item])])",
          },
        },
      },
      {
        id: 'deliver',
        type: 'http.request',
        name: 'Deliver',
        position: { x: 660, y: 0 },
        config: { method: 'POST', url: '{{ params.destinationUrl }}', bodyExpression: "{ 'records': vars.enriched }" },
      },
      { id: 'out', type: 'output', name: 'Enriched records', position: { x: 880, y: 0 }, config: { expression: "{ 'records': vars.enriched }" } },
    ],
    edges: edges(
      ['start', 'init'],
      ['init', 'each'],
      ['each', 'lookup', 'body'],
      ['lookup', 'merge'],
      ['merge', 'each'],
      ['each', 'deliver', 'done'],
      ['deliver', 'out'],
    ),
  },
};
