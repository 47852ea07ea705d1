import { describe, it, expect } from 'vitest';
import {
  DEFAULT_EXPRESSION_LIMITS,
  ExpressionError,
  checkExpression,
  checkTemplate,
  clearExpressionCheckCache,
  compileExpression,
  compileTemplate,
  parseTemplate,
} from '@tandem/schema';

const scope = {
  input: { a: 1, why: 'name is missing', items: [1, 2, 3] },
  nodes: { add: { total: 2 } },
  vars: { b: 3 },
  params: { c: 4 },
  loop: { item: 'x', index: 5 },
};

async function evaluate(source: string, data: unknown = scope): Promise<unknown> {
  return compileExpression(source).evaluate(data);
}

async function failure(run: () => Promise<unknown>): Promise<ExpressionError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

function compileFailure(run: () => unknown): ExpressionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ExpressionError);
    return error as ExpressionError;
  }
  throw new Error('expected an ExpressionError');
}

describe('compileExpression', () => {
  it('evaluates over input, nodes, vars, params and loop', async () => {
    expect(await evaluate('input.a + nodes.add.total + vars.b + params.c + loop.index')).toBe(15);
    expect(await evaluate("{ 'total': input.a + vars.b, 'item': loop.item }")).toEqual({ total: 4, item: 'x' });
    expect(await evaluate('$sum(input.items)')).toBe(6);
  });

  it('returns plain JSON: arrays without sequence flags, null for no value', async () => {
    const list = await evaluate('input.items.($ * 10)');
    expect(list).toEqual([10, 20, 30]);
    expect(Object.keys(list as object)).toEqual(['0', '1', '2']);
    expect(await evaluate('input.nothing')).toBeNull();
    expect(await evaluate('[1, "two", true, null, {"x": [3]}]')).toEqual([1, 'two', true, null, { x: [3] }]);
  });

  it('is deterministic: the same expression and scope give the same value', async () => {
    const compiled = compileExpression('$map(input.items, function($v, $i) { $v * $i })');
    expect(await compiled.evaluate(scope)).toEqual(await compiled.evaluate(scope));
    expect(compiled.source).toBe('$map(input.items, function($v, $i) { $v * $i })');
  });

  it('keeps nothing between evaluations: a variable one assigns is unset in the next, also in another compile of the same text', async () => {
    // Compiled expressions are shared by every run in a worker; one run must never see another's variables.
    const source = "[$exists($seen) ? 'seen before' : 'fresh', $seen := true][0]";
    const expression = compileExpression(source);
    expect(await expression.evaluate({})).toBe('fresh');
    expect(await expression.evaluate({})).toBe('fresh');
    expect(await compileExpression(source).evaluate({})).toBe('fresh');
  });

  it('reports a syntax error with its position', () => {
    const error = compileFailure(() => compileExpression('input.a +'));
    expect(error.name).toBe('ExpressionError');
    expect(error.code).toBe('S0207');
    expect(error.position).toBe(9);
    expect(error.message).toContain('(at character 9)');
    expect(checkExpression('input.a +')).toMatchObject({ code: 'S0207', position: 9 });
    expect(checkExpression('input.a + 1')).toBeNull();
  });

  it('refuses empty and over-long expressions', () => {
    expect(compileFailure(() => compileExpression('   ')).code).toBe('S0000');
    expect(compileFailure(() => compileExpression('1+'.repeat(5_001) + '1')).code).toBe('S0001');
  });

  it('reports evaluation errors as ExpressionError', async () => {
    const error = await failure(() => evaluate('$number("abc")'));
    expect(error.code).toBe('D3030');
  });

  it.each(['$now()', '$millis()', '$random()', '$map([1], $now)'])('refuses the non-deterministic %s', async (source) => {
    const error = await failure(() => evaluate(source));
    expect(error.code).toBe('D9001');
    expect(error.message).toContain('expressions must be deterministic');
  });

  it('refuses direct calls of non-deterministic functions when the expression is checked', () => {
    expect(checkExpression('1 + $millis()')?.code).toBe('D9001');
    expect(checkExpression('$random() > 0.5')?.message).toContain('$random() is not available');
    expect(checkExpression('$nowhere := 1')).toBeNull();
  });

  it('ends endless tail recursion with a work-budget error instead of hanging', async () => {
    const error = await failure(() => evaluate('($f := function($n){$f($n+1)}; $f(0))'));
    expect(error.code).toBe('D9003');
    expect(error.message).toContain(`did more work than allowed (${DEFAULT_EXPRESSION_LIMITS.maxWork} units`);
  });

  it('ends deep recursion with a stack error', async () => {
    const error = await failure(() => evaluate('($f := function($n){1 + $f($n+1)}; $f(0))'));
    expect(error.code).toBe('D9006');
  });

  it('ends a huge nested iteration by the step budget', async () => {
    const error = await failure(() => evaluate('$map([1..100000], function($x){ $map([1..100000], function($y){ $y }) })'));
    expect(error.code).toBe('D9003');
  });

  it('refuses sequences longer than the limit', async () => {
    const error = await failure(() => evaluate('$count([1..10000000])'));
    expect(error.code).toBe('D9007');
  });

  it('counts work per evaluation, not per compiled expression, and reports it to a meter', async () => {
    const compiled = compileExpression('$sum([1..1000].($ * 2))', { ...DEFAULT_EXPRESSION_LIMITS, maxWork: 6_000 });
    const meter = { work: 0 };
    for (let i = 0; i < 5; i++) expect(await compiled.evaluate({}, meter)).toBe(1_001_000);
    // Four steps an item, a 1,000-item list built twice (250 units each), and the calls.
    expect(meter.work / 5).toBeGreaterThan(4_000);
    expect(meter.work / 5).toBeLessThan(6_000);
    const tight = compileExpression('$sum([1..1000].($ * 2))', { ...DEFAULT_EXPRESSION_LIMITS, maxWork: 1_000 });
    expect((await failure(() => tight.evaluate({}))).code).toBe('D9003');
  });

  it('charges the size of the strings an expression builds, which bounds the memory it can fill', async () => {
    // 2,000 strings of 100,000 characters would be 200 MB; the budget ends it after a few hundred.
    const error = await failure(() => evaluate("$count([1..2000].$pad('x', 100000))"));
    expect(error.code).toBe('D9003');
    const meter = { work: 0 };
    await compileExpression("$length($pad('x', 64000))").evaluate({}, meter);
    expect(meter.work).toBeGreaterThanOrEqual(1_000);
  });

  it('refuses results larger than the limit', async () => {
    const half = 'x'.repeat(DEFAULT_EXPRESSION_LIMITS.maxResultChars / 2 + 1);
    const error = await failure(() => evaluate('input & input', { input: half }));
    expect(error.code).toBe('D9004');
    const big = 'y'.repeat(DEFAULT_EXPRESSION_LIMITS.maxResultChars + 1);
    expect((await failure(() => evaluate('input', { input: big }))).code).toBe('D9004');
  });

  it('refuses a function as a result', async () => {
    expect((await failure(() => evaluate('function($x){ $x }'))).code).toBe('T9001');
    expect((await failure(() => evaluate('$string'))).code).toBe('T9001');
  });

  it.each([
    ['$match(input.long, /(a+)+$/)', null],
    ['$contains(input.long, /(x*)*y/)', false],
    ['$match(input.long, /(a|aa)+$/).match', null],
    ['$eval("$contains(input.long, /((a+)+)+b/)")', false],
  ])('runs %s, which backtracks exponentially in JavaScript, in linear time (RE2)', async (source, expected) => {
    const long = `${'a'.repeat(20_000)}!`;
    const started = performance.now();
    expect(await evaluate(source, { input: { long } })).toEqual(expected);
    // A backtracking engine takes longer than the age of the universe here; RE2 a few milliseconds.
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it.each(['$replace(input.why, /(a)b\\1/, "")', '$match(input.why, /a(?=b)/)'])('refuses %s, which RE2 cannot run, naming why', (source) => {
    const error = compileFailure(() => compileExpression(source));
    expect(error.code).toBe('S9001');
    expect(error.message).toContain('is not supported');
    expect(error.message).toContain('RE2');
  });

  it('keeps JavaScript regular expression behaviour for matches, groups, flags and replacement', async () => {
    expect(await evaluate('$match("a1b22c333", /[0-9]+/).match')).toEqual(['1', '22', '333']);
    expect(await evaluate('$match("key=value", /(\\w+)=(\\w+)/).groups')).toEqual(['key', 'value']);
    expect(await evaluate('$contains("HeLLo", /hello/i)')).toBe(true);
    expect(await evaluate('$replace("2024-01-05", /(\\d+)-(\\d+)-(\\d+)/, "$3/$2/$1")')).toBe('05/01/2024');
    expect(await evaluate('$split("a, b,c", /,\\s*/)')).toEqual(['a', 'b', 'c']);
    expect(await evaluate('$match("line1\\nline2", /^line\\d$/m).match')).toEqual(['line1', 'line2']);
    expect(await evaluate('$match("héllo wörld", /ö/).index')).toBe(7);
  });

  it('charges the text a regular expression scans', async () => {
    const meter = { work: 0 };
    await compileExpression('$contains(input.long, /b/)').evaluate({ input: { long: 'a'.repeat(300_000) } }, meter);
    expect(meter.work).toBeGreaterThan(1_000);
    const tight = compileExpression('$contains(input.long, /b/)', { ...DEFAULT_EXPRESSION_LIMITS, maxWork: 500 });
    expect((await failure(() => tight.evaluate({ input: { long: 'a'.repeat(300_000) } }))).code).toBe('D9003');
  });

  it('accepts ordinary regular expressions', async () => {
    expect(await evaluate('$contains(input.why, /miss+ing/)')).toBe(true);
  });

  it('encodes and decodes base 64 without Node or browser globals (as in the workflow sandbox)', async () => {
    const buffer = (globalThis as { Buffer?: unknown }).Buffer;
    (globalThis as { Buffer?: unknown }).Buffer = undefined;
    try {
      expect(await evaluate('$base64encode("myuser:mypass")')).toBe('bXl1c2VyOm15cGFzcw==');
      expect(await evaluate('$base64decode("bXl1c2VyOm15cGFzcw==")')).toBe('myuser:mypass');
      for (const text of ['', 'a', 'ab', 'abc', 'héllo wörld ✓ 😀']) {
        expect(await evaluate('$base64decode($base64encode(input))', { input: text })).toBe(text);
      }
      expect(await evaluate('$base64encode("✓")')).toBe('4pyT');
      expect((await failure(() => evaluate('$base64decode("not base64!")'))).code).toBe('D9008');
    } finally {
      (globalThis as { Buffer?: unknown }).Buffer = buffer;
    }
  });

  it('bounds the width of $pad', async () => {
    expect(await evaluate('$pad("x", 5, "-")')).toBe('x----');
    expect(await evaluate('$pad("x", -3)')).toBe('  x');
    expect((await failure(() => evaluate('$pad("x", 1000000)'))).code).toBe('D9002');
    expect((await failure(() => evaluate('$pad("x", -100001)'))).code).toBe('D9002');
  });
});

describe('templates', () => {
  it('replaces each {{ expr }} with its value', async () => {
    expect(await compileTemplate('bad input: {{ input.why }}').render(scope)).toBe('bad input: name is missing');
    expect(await compileTemplate('{{input.a}}+{{ vars.b }}={{ input.a + vars.b }}').render(scope)).toBe('1+3=4');
  });

  it('renders text without {{ }} as itself', async () => {
    expect(await compileTemplate('plain text').render(scope)).toBe('plain text');
    expect(parseTemplate('plain')).toEqual([{ text: 'plain' }]);
  });

  it('JSON-stringifies values that are not strings', async () => {
    const rendered = await compileTemplate('n={{ input.a }} b={{ true }} o={{ nodes.add }} l={{ input.items }}').render(scope);
    expect(rendered).toBe('n=1 b=true o={"total":2} l=[1,2,3]');
  });

  it('renders a missing value as empty text', async () => {
    expect(await compileTemplate('[{{ input.missing }}]').render(scope)).toBe('[]');
  });

  it('reports an unclosed {{ with its position', () => {
    const error = compileFailure(() => compileTemplate('hello {{ input.name'));
    expect(error.code).toBe('S9002');
    expect(error.position).toBe(6);
    expect(checkTemplate('hello {{ input.name')).toMatchObject({ code: 'S9002' });
  });

  it('reports an empty {{ }}', () => {
    expect(compileFailure(() => compileTemplate('a {{  }} b')).code).toBe('S9003');
  });

  it('reports a syntax error inside {{ }} at its position in the whole text', () => {
    const error = compileFailure(() => compileTemplate('a {{ input.( }}'));
    expect(error.code).toBe('S0203');
    expect(error.position).toBe(13);
    expect(error.message).toContain('in {{ input.( }}');
    expect(checkTemplate('a {{ input.x }}')).toBeNull();
  });

  it('splits text and expressions with their offsets', () => {
    expect(parseTemplate('a {{ x }} b {{y}}')).toEqual([{ text: 'a ' }, { expression: ' x ', offset: 4 }, { text: ' b ' }, { expression: 'y', offset: 14 }]);
  });

  it('refuses non-deterministic functions inside templates', async () => {
    expect((await failure(() => compileTemplate('at {{ $now() }}').render(scope))).code).toBe('D9001');
  });

  it('refuses a rendered text longer than the limit', async () => {
    const template = compileTemplate('{{ input }}{{ input }}');
    const half = 'z'.repeat(DEFAULT_EXPRESSION_LIMITS.maxResultChars / 2 + 1);
    expect((await failure(() => template.render({ input: half }))).code).toBe('D9004');
  });
});

describe('expression budgets cannot be tampered with', () => {
  it('keeps the step budget out of reach of the expression', async () => {
    const heavy = '$sum([1..600].($sum([1..600].($ * 2))))';
    await expect(compileExpression(heavy).evaluate({})).rejects.toMatchObject({ code: 'D9003' });
    const tampered = compileExpression(`($__tandemBudget := {'steps': -1e300, 'depth': 0}; ${heavy})`);
    await expect(tampered.evaluate({})).rejects.toMatchObject({ code: 'D9003' });
  });

  it('lets data through as it is, however long, while bounding lists an expression builds', async () => {
    const items = Array.from({ length: 1_200_000 }, (_, i) => i);
    expect(await compileExpression('$count(input.items)').evaluate({ input: { items } })).toBe(1_200_000);
    await expect(compileExpression('$count([1..2000000])').evaluate({})).rejects.toMatchObject({ code: 'D9007' });
  });
});

describe('remembered checks', () => {
  it('gives the same verdict the second time, and honours limits other than the defaults', () => {
    clearExpressionCheckCache();
    const first = checkExpression('input.a +');
    expect(first?.code).toBeDefined();
    expect(checkExpression('input.a +')).toEqual(first);
    expect(checkExpression('input.a + 1')).toBeNull();
    expect(checkExpression('input.a + 1')).toBeNull();
    // The verdict under the default limits does not leak into a check with tighter ones.
    expect(checkExpression('input.a + 1', { ...DEFAULT_EXPRESSION_LIMITS, maxSourceLength: 3 })?.code).toBe('S0001');
    expect(checkTemplate('{{ input.a + }}')?.code).toBeDefined();
    expect(checkTemplate('{{ input.a + }}')).toEqual(checkTemplate('{{ input.a + }}'));
  });
});
