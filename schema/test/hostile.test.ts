import { describe, it, expect } from 'vitest';
import { compileWorkflow, validateWorkflow, type Problem } from '@tandem/schema';
import { sumExample, summarize } from './helpers.js';

/** Validation and compilation must answer with named problems, whatever they are given. */
function rejected(input: unknown): Problem[] {
  let result: ReturnType<typeof validateWorkflow> | undefined;
  expect(() => {
    result = validateWorkflow(input);
  }).not.toThrow();
  expect(result?.ok).toBe(false);
  const compiled = compileWorkflow(input);
  expect(compiled.ok).toBe(false);
  const problems = result!.problems;
  expect(problems.length).toBeGreaterThan(0);
  for (const problem of problems) {
    expect(typeof problem.code).toBe('string');
    expect(typeof problem.path).toBe('string');
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.message.length).toBeLessThan(2_000);
  }
  return problems;
}

function nested(depth: number, wrap: (inner: unknown) => unknown): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = wrap(value);
  return value;
}

function withConfig(config: unknown): Record<string, unknown> {
  const doc = sumExample();
  (doc.nodes as Array<Record<string, unknown>>)[1]!.config = config;
  return doc;
}

describe('hostile inputs', () => {
  it.each([
    ['arrays', (inner: unknown) => [inner]],
    ['objects', (inner: unknown) => ({ a: inner })],
  ])('refuses 100,000-deep nested %s as a whole document', (_kind, wrap) => {
    const problems = rejected(nested(100_000, wrap));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'invalid_document' });
    expect(problems[0]!.message).toContain('nesting is deeper than 48 levels');
  });

  it('refuses 100,000-deep nesting inside a node config and names the node', () => {
    const problems = rejected(withConfig({ expression: 'input', extra: nested(100_000, (inner) => ({ a: [inner] })) }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'invalid_document', nodeId: 'add' });
    expect(problems[0]!.path.startsWith('nodes[1].config.extra.a[0].a[0]')).toBe(true);
  });

  it('refuses a self-referencing object without looping forever', () => {
    const config: Record<string, unknown> = { expression: 'input' };
    config.self = config;
    const problems = rejected(withConfig(config));
    expect(problems[0]).toMatchObject({ code: 'invalid_document', nodeId: 'add' });
    expect(problems[0]!.message).toContain('nesting is deeper');
  });

  it('refuses a 1,000,000-item nodes array', () => {
    const node = { id: 'n', type: 'transform', position: { x: 0, y: 0 }, config: { expression: '1' } };
    const doc = { ...sumExample(), nodes: new Array<unknown>(1_000_000).fill(node) };
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual([{ code: 'invalid_document', path: 'nodes' }]);
    expect(problems[0]!.message).toContain('longer than 500000 items');
  });

  it('refuses more nodes or edges than the limits as a whole, not item by item', () => {
    const nodes = { ...sumExample(), nodes: new Array<unknown>(100_000).fill(null) };
    expect(summarize(rejected(nodes))).toEqual([{ code: 'invalid_document', path: 'nodes' }]);
    const edges = { ...sumExample(), edges: new Array<unknown>(10_001).fill({ id: 'e', source: 'start', target: 'add' }) };
    expect(summarize(rejected(edges))).toEqual([{ code: 'invalid_document', path: 'edges' }]);
  });

  it('refuses __proto__ and constructor keys in a config without polluting Object.prototype', () => {
    const doc = JSON.parse(
      '{"format":"tandem.workflow/v1","name":"P","nodes":[' +
        '{"id":"start","type":"trigger.manual","position":{"x":0,"y":0},"config":{}},' +
        '{"id":"t","type":"transform","position":{"x":1,"y":0},"config":{"expression":"1","__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}' +
        '],"edges":[{"id":"e1","source":"start","target":"t"}]}',
    ) as unknown;
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_document', path: 'nodes[1].config.__proto__', nodeId: 't' },
        { code: 'invalid_document', path: 'nodes[1].config.constructor', nodeId: 't' },
      ]),
    );
    expect(problems.every((p) => p.nodeId === 't')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('refuses __proto__ and constructor keys at the top level', () => {
    const doc = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"format":"tandem.workflow/v1","name":"P","nodes":[],"edges":[]}',
    ) as unknown;
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_document', path: '__proto__' },
        { code: 'invalid_document', path: 'constructor' },
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses __proto__ in params and in an edge', () => {
    const doc = JSON.parse(
      '{"format":"tandem.workflow/v1","name":"P","params":{"__proto__":{"polluted":true}},"nodes":[' +
        '{"id":"start","type":"trigger.manual","position":{"x":0,"y":0},"config":{}}],' +
        '"edges":[{"id":"e1","source":"start","target":"start","__proto__":{"sourceHandle":"x"}}]}',
    ) as unknown;
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_document', path: 'params.__proto__' },
        { code: 'invalid_document', path: 'edges[0].__proto__', edgeId: 'e1' },
      ]),
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    ['null', null],
    ['a number', 42],
    ['a string', 'x'],
    ['a boolean', true],
    ['an array', []],
  ])('refuses %s as a document', (_name, input) => {
    const problems = rejected(input);
    expect(summarize(problems)).toEqual([{ code: 'invalid_document', path: '' }]);
    expect(problems[0]!.message).toContain('a workflow must be a JSON object');
  });

  it('refuses undefined as a document', () => {
    const problems = rejected(undefined);
    expect(problems.every((p) => p.code === 'invalid_document' && p.path === '')).toBe(true);
    expect(problems.map((p) => p.message)).toContain('a workflow must be a JSON object');
  });

  it('refuses 200,000-character strings, naming where they are', () => {
    const long = 'x'.repeat(200_000);
    const doc = withConfig({ expression: long });
    doc.name = long;
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_document', path: 'name' },
        { code: 'invalid_document', path: 'nodes[1].config.expression', nodeId: 'add' },
      ]),
    );
    for (const problem of problems) expect(problem.message).not.toContain(long.slice(0, 1_000));
  });

  it('refuses a 200,000-character node id without echoing it', () => {
    const doc = sumExample();
    (doc.nodes as Array<Record<string, unknown>>)[1]!.id = 'a'.repeat(200_000);
    const problems = rejected(doc);
    expect(problems.some((p) => p.path === 'nodes[1].id')).toBe(true);
    for (const problem of problems) expect(problem.message.length).toBeLessThan(2_000);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('refuses %s numbers', (_name, value) => {
    const doc = sumExample();
    (doc.nodes as Array<Record<string, unknown>>)[0]!.position = { x: value, y: 0 };
    doc.params = { limit: value };
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_document', path: 'nodes[0].position.x', nodeId: 'start' },
        { code: 'invalid_document', path: 'params.limit' },
      ]),
    );
  });

  it('refuses a non-finite delay', () => {
    const doc = withConfig({ durationMs: Number.POSITIVE_INFINITY });
    (doc.nodes as Array<Record<string, unknown>>)[1]!.type = 'delay';
    const problems = rejected(doc);
    expect(problems.every((p) => p.nodeId === 'add' || p.code === 'invalid_document')).toBe(true);
  });

  it('refuses functions, symbols and bigints', () => {
    const doc = withConfig({ expression: () => 'input', big: 10n, sym: Symbol('s') });
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_document', path: 'nodes[1].config.expression', nodeId: 'add' },
        { code: 'invalid_document', path: 'nodes[1].config.big', nodeId: 'add' },
        { code: 'invalid_document', path: 'nodes[1].config.sym', nodeId: 'add' },
      ]),
    );
    expect(problems.find((p) => p.path === 'nodes[1].config.expression')!.message).toContain('function');
    expect(summarize(rejected(() => sumExample()))).toEqual(expect.arrayContaining([{ code: 'invalid_document', path: '' }]));
  });

  it('refuses class instances, Maps and Dates', () => {
    const doc = withConfig({ expression: 'input', when: new Date(0), map: new Map([['a', 1]]) });
    const problems = rejected(doc);
    expect(summarize(problems)).toEqual(
      expect.arrayContaining([
        { code: 'invalid_document', path: 'nodes[1].config.when', nodeId: 'add' },
        { code: 'invalid_document', path: 'nodes[1].config.map', nodeId: 'add' },
      ]),
    );
  });

  it('answers even when reading the document throws', () => {
    const doc = sumExample();
    Object.defineProperty(doc, 'nodes', {
      enumerable: true,
      get() {
        throw new Error('boom');
      },
    });
    expect(summarize(rejected(doc))).toEqual([{ code: 'invalid_document', path: '' }]);
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys');
        },
      },
    );
    expect(summarize(rejected(proxy))).toEqual([{ code: 'invalid_document', path: '' }]);
  });
});
