import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { jsonataFile, MARKER, patchText, unpatchText } from '../scripts/patch-jsonata.mjs';

// ops/scripts/patch-jsonata.mjs (run by `npm ci`) makes JSONata's parser build its symbol table
// once. The parser then keeps state between parses: these tests hold it to the shipped parser's
// output, tree for tree and error for error, over expressions parsed one after another (broken
// ones between valid ones, so state a failed parse leaves behind would show).

type Jsonata = (source: string) => { ast(): unknown; evaluate(input: unknown): unknown };

const installedText = readFileSync(jsonataFile(), 'utf8');

/** Loads jsonata's CommonJS text as a module of its own. */
function load(text: string): Jsonata {
  const module = { exports: {} as unknown };
  const require = createRequire(jsonataFile());
  new Function('module', 'exports', 'require', text)(module, module.exports, require);
  return module.exports as Jsonata;
}

/** What parsing gives: the tree (regular expressions written out), or the error's identity. */
function outcome(jsonata: Jsonata, source: string): string {
  try {
    return JSON.stringify(jsonata(source).ast(), (_key, value: unknown) => (value instanceof RegExp ? `regex ${String(value)}` : value));
  } catch (error) {
    const { code, position, token, value } = error as { code?: string; position?: number; token?: unknown; value?: unknown };
    return `error ${code} at ${position} ${JSON.stringify(token)} ${JSON.stringify(value)}`;
  }
}

const VALID = [
  'a',
  'a.b.c',
  'nodes.add.total + $number(input.b) * 2',
  '"Hello " & $uppercase(input.name) & "!"',
  '$sum(items.(price * qty))',
  'items[price > 10 and qty < 3].name',
  'items[0]',
  'a ? b : c',
  '$map([1,2,3], function($v, $i) { $v * $i })',
  'λ($x){$x+1}(2)',
  '($a := 1; $b := $a + 1; $b)',
  '{"total": a + b, "name": $uppercase(name)}',
  'items{category: $sum(price)}',
  'items^(>price, name)',
  'items@$i.name',
  'items#$pos[$pos < 2]',
  'a.%.b',
  '$string([1..5])',
  '$contains(name, /ab+c/i)',
  'a ~> $uppercase()',
  '$ ~> |items|{"seen": true}|',
  'a in [1, 2, 3]',
  '**.price',
  '*.x',
  '`a field`.value',
  '-a',
  'a != b or c <= d',
  '10 % 3 / 2',
];

const BROKEN = ['1 +', '(', '[1,', 'a.', '-', 'a[', '$x := ', 'a.1', '{', '%.a', ')', 'a b', '$f(', 'function($x)', '"open', '/re', 'a ? :', '', '  '];

/** Token soup: mostly broken, some valid, every kind of token the lexer knows. */
function* generated(count: number): Generator<string> {
  const tokens = [
    'a',
    'b',
    '`x y`',
    '1',
    '2.5',
    '1e3',
    '"s"',
    "'t'",
    'true',
    'null',
    '$',
    '$$',
    '$x',
    '$f',
    '.',
    '+',
    '-',
    '*',
    '/',
    '%',
    '=',
    '!=',
    '<',
    '<=',
    '>',
    '>=',
    '&',
    'and',
    'or',
    'in',
    '?',
    ':',
    '?:',
    '??',
    '~>',
    ':=',
    '[',
    ']',
    '{',
    '}',
    '(',
    ')',
    ',',
    ';',
    '..',
    '^(',
    '@',
    '#',
    '**',
    '|',
    '/x+/',
    'function',
    'λ',
  ];
  let seed = 17;
  const next = (n: number) => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const length = 1 + next(8);
    const parts: string[] = [];
    for (let j = 0; j < length; j++) parts.push(tokens[next(tokens.length)]!);
    yield parts.join(next(3) === 0 ? '' : ' ');
  }
}

describe('the JSONata parser patch', () => {
  it('is applied by the install', () => {
    expect(installedText).toContain(MARKER);
    expect(unpatchText(installedText)).not.toContain(MARKER);
    expect(patchText(unpatchText(installedText)!)).toBe(installedText);
  });

  it('parses every expression to the same tree, or fails with the same error, as the shipped parser', () => {
    const shipped = load(unpatchText(installedText)!);
    const patched = createRequire(jsonataFile())(jsonataFile()) as Jsonata;
    const sources = [...VALID, ...BROKEN, ...generated(4_000)];
    // Interleaved: each valid expression follows broken ones, and the other way round.
    const ordered = sources.flatMap((source, i) => [source, sources[(i * 7919) % sources.length]!]);
    let valid = 0;
    for (const source of ordered) {
      const expected = outcome(shipped, source);
      expect(outcome(patched, source), source).toBe(expected);
      if (!expected.startsWith('error')) valid++;
    }
    expect(valid).toBeGreaterThan(VALID.length * 2);
    for (const source of VALID) expect(outcome(patched, source), source).not.toMatch(/^error/);
  });

  it('keeps trees it returned intact while it parses more', () => {
    const patched = createRequire(jsonataFile())(jsonataFile()) as Jsonata;
    const first = patched('items[price > 10].name');
    const before = JSON.stringify(first.ast());
    for (const source of [...BROKEN, ...VALID]) outcome(patched, source);
    expect(JSON.stringify(first.ast())).toBe(before);
    expect(
      first.evaluate({
        items: [
          { price: 20, name: 'kept' },
          { price: 5, name: 'cheap' },
        ],
      }),
    ).toBe('kept');
  });
});
