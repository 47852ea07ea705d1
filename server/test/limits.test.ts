import { buildSchema, parse, specifiedRules, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MAX_DEPTH, validationRules } from '../src/graphql/limits.js';

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
