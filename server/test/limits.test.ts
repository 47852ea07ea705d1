import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkComplexity, MAX_DEPTH, validationRules } from '../src/graphql/limits.js';

describe('operation depth limit', () => {
  // The API's types have no cycles yet; a recursive schema shows the rule guards future ones.
  const schema = buildSchema('type Query { node: Node } type Node { id: ID child: Node }');
  const nested = (levels: number) => `{ node { ${'child { '.repeat(levels)}id${' }'.repeat(levels)} } }`;

  it(`accepts ${MAX_DEPTH} levels and refuses deeper operations`, () => {
    expect(validate(schema, parse(nested(MAX_DEPTH - 2)), [...specifiedRules, ...validationRules])).toEqual([]);
    const errors = validate(schema, parse(nested(MAX_DEPTH + 2)), [...specifiedRules, ...validationRules]);
    expect(errors.map((e) => e.message).join()).toContain(`exceeds maximum operation depth of ${MAX_DEPTH}`);
  });
});

describe('operation cost limit', () => {
  const schema = buildSchema('type Query { items(first: Int): [Item] } type Item { id: ID children(first: Int): [Item] }');
  const refusal = (run: () => void) => {
    try {
      run();
      return 'accepted';
    } catch (error) {
      return String((error as { extensions?: { reason?: unknown } }).extensions?.reason);
    }
  };

  it('prices each request by its own page sizes, also once the document has been priced', () => {
    // The same document object each time, as the guard hands Apollo its cached documents.
    const document = parse('query Q($n: Int) { items(first: $n) { id children(first: 10) { id } } }');
    expect(refusal(() => checkComplexity(schema, document, { n: 10 }))).toBe('accepted');
    expect(refusal(() => checkComplexity(schema, document, { n: 1000 }))).toBe('QUERY_TOO_COMPLEX');
    expect(refusal(() => checkComplexity(schema, document, { n: 10 }))).toBe('accepted');
    expect(refusal(() => checkComplexity(schema, document, { n: 1000 }))).toBe('QUERY_TOO_COMPLEX');
  });

  it('tells a variable left out (its default applies) from one sent as null', () => {
    const document = parse('query Q($n: Int = 1000) { items(first: $n) { id children(first: 10) { id } } }');
    // null: no page size, so the list is priced as one item; left out: the default, 1,000.
    expect(refusal(() => checkComplexity(schema, document, { n: null }))).toBe('accepted');
    expect(refusal(() => checkComplexity(schema, document, {}))).toBe('QUERY_TOO_COMPLEX');
    expect(refusal(() => checkComplexity(schema, document, { n: null }))).toBe('accepted');
  });

  it('prices what @skip and @include leave out by their variables', () => {
    const document = parse('query Q($s: Boolean!) { items(first: 100) { id children(first: 100) @skip(if: $s) { id } } }');
    expect(refusal(() => checkComplexity(schema, document, { s: true }))).toBe('accepted');
    expect(refusal(() => checkComplexity(schema, document, { s: false }))).toBe('QUERY_TOO_COMPLEX');
  });

  it('still refuses a bad variable after the document has been priced', () => {
    const document = parse('query Q($n: Int!) { items(first: $n) { id } }');
    expect(refusal(() => checkComplexity(schema, document, { n: 5 }))).toBe('accepted');
    expect(refusal(() => checkComplexity(schema, document, { n: 'five' }))).toBe('BAD_VARIABLES');
    expect(refusal(() => checkComplexity(schema, document, {}))).toBe('BAD_VARIABLES');
  });
});
