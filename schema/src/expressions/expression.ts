import jsonata from 'jsonata';
import { jsonSizeUpTo, type JsonValue } from '../json.js';
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './limits.js';
import { rememberedCheck } from './check-cache.js';
import { charge, enterStep, exitStep, withBudget } from './budget.js';
import { ExpressionError } from './error.js';
import { compileRe2, Re2RegExp } from './regex.js';
import { base64Decode, base64Encode } from './base64.js';

export { ExpressionError };

/** Work done by evaluations, for a caller that bounds the sum of many (the interpreter, per workflow task). */
export interface WorkMeter {
  work: number;
}

export interface CompiledExpression {
  readonly source: string;
  /** Evaluates against `scope`; the result is plain JSON (`null` for no value). The work done is added to `meter`. */
  evaluate(scope: unknown, meter?: WorkMeter): Promise<JsonValue>;
  /** `evaluate` without a promise: evaluation is synchronous, and inside Temporal's sandbox every promise costs. */
  evaluateSync(scope: unknown, meter?: WorkMeter): JsonValue;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

/** JSONata 1.8 takes a RegexEngine option that its type definitions do not declare. */
const parseWithRe2 = jsonata as unknown as (source: string, options: { RegexEngine: typeof Re2RegExp }) => jsonata.Expression;

// JSONata 1.8 stores the engine on its exported function at every parse (`jsonata.RegexEngine =
// options.RegexEngine`, or `RegExp` without the option). The workflow sandbox shares this module
// between runs and freezes what it shares, which would make that assignment throw: the engine is
// a fixed accessor instead, always RE2, whatever a caller passes.
if (Object.getOwnPropertyDescriptor(jsonata, 'RegexEngine')?.set === undefined && Object.isExtensible(jsonata)) {
  Object.defineProperty(jsonata, 'RegexEngine', { get: () => Re2RegExp, set: () => {}, enumerable: true, configurable: false });
}

const NO_BINDINGS: Record<string, unknown> = Object.freeze({});

/** Characters of a built string that cost one unit of work. */
const STRING_CHARS_PER_UNIT = 64;
/** Items of a built list that cost one unit of work. */
const ITEMS_PER_UNIT = 4;

/** Results of these node types are data read as-is, not lists an expression built. */
const READS: ReadonlySet<string> = new Set(['path', 'name', 'variable']);

/** Functions that would make workflow code non-deterministic are replaced by ones that refuse. */
const NON_DETERMINISTIC = ['now', 'millis', 'random'] as const;

export function checkExpression(source: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): ExpressionError | null {
  if (limits === DEFAULT_EXPRESSION_LIMITS && typeof source === 'string') return rememberedCheck(`e:${source}`, () => checkExpression(source, { ...limits }));
  try {
    parseExpression(source, limits);
    return null;
  } catch (error) {
    return error instanceof ExpressionError ? error : new ExpressionError(String(error), 'E0000');
  }
}

/** Parses and vets an expression: what checking needs, without preparing it to run. */
function parseExpression(source: string, limits: ExpressionLimits): jsonata.Expression {
  if (typeof source !== 'string') throw new ExpressionError('expression must be text', 'T0000');
  if (source.trim() === '') throw new ExpressionError('expression is empty', 'S0000');
  if (source.length > limits.maxSourceLength) {
    throw new ExpressionError(`expression is longer than ${limits.maxSourceLength} characters`, 'S0001');
  }
  let expr: jsonata.Expression;
  try {
    // Every JSONata regular expression, including those `$eval` parses at run time, runs on RE2.
    expr = parseWithRe2(source, { RegexEngine: Re2RegExp });
  } catch (error) {
    throw toExpressionError(error);
  }
  rejectUnsafeConstructs(expr.ast());
  return expr;
}

/**
 * Expressions compiled with the default limits, by source. Compiling is pure and an evaluation
 * keeps nothing in the expression (each runs in a frame of its own), so every run of a workflow
 * (in the worker's sandbox this module is shared by all runs) can use one compiled copy instead
 * of parsing its expressions again at every start.
 */
const compiledBySource = new Map<string, CompiledExpression>();
const COMPILED_MAX = 5_000;

export function compileExpression(source: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): CompiledExpression {
  if (limits !== DEFAULT_EXPRESSION_LIMITS || typeof source !== 'string') return compileFresh(source, limits);
  let compiled = compiledBySource.get(source);
  if (!compiled) {
    compiled = compileFresh(source, limits);
    if (compiledBySource.size >= COMPILED_MAX) compiledBySource.delete(compiledBySource.keys().next().value!);
    compiledBySource.set(source, compiled);
  }
  return compiled;
}

function compileFresh(source: string, limits: ExpressionLimits): CompiledExpression {
  const expr = parseExpression(source, limits);
  for (const name of NON_DETERMINISTIC) {
    expr.assign(name, () => {
      throw new ExpressionError(`$${name}() is not available: expressions must be deterministic`, 'D9001');
    });
  }
  expr.assign('pad', (value: unknown, width: number, char?: string) => {
    if (Math.abs(width) > limits.maxPadWidth) {
      throw new ExpressionError(`$pad width is larger than ${limits.maxPadWidth}`, 'D9002');
    }
    const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
    const fill = char === undefined || char === '' ? ' ' : char;
    return width < 0 ? text.padStart(-width, fill) : text.padEnd(width, fill);
  });
  expr.assign('base64encode', base64Encode);
  expr.assign('base64decode', base64Decode);
  // JSONata 1.x evaluates synchronously (generators, no promise per step): far cheaper inside
  // Temporal's workflow sandbox, which tracks every promise. The hooks bound each evaluation.
  expr.assign('__evaluate_entry', enterStep);
  expr.assign('__evaluate_exit', (node: { type?: string }, _input: unknown, _environment: unknown, result: unknown) => {
    exitStep();
    if (READS.has(node.type ?? '')) return;
    // What a step built costs by its size: this bounds the memory an evaluation can fill.
    if (typeof result === 'string') {
      if (result.length > STRING_CHARS_PER_UNIT) charge(Math.floor(result.length / STRING_CHARS_PER_UNIT));
    } else if (Array.isArray(result)) {
      if (result.length > limits.maxSequence) throw new ExpressionError(`expression built a list longer than ${limits.maxSequence} items`, 'D9007');
      if (result.length > ITEMS_PER_UNIT) charge(Math.floor(result.length / ITEMS_PER_UNIT));
    }
  });
  const evaluateSync = (scope: unknown, meter?: WorkMeter): JsonValue => {
    let result: unknown;
    try {
      result = withBudget(limits.maxWork, limits.maxDepth, (budget) => {
        try {
          // Bindings (none) make JSONata evaluate in a new frame: `$x := …` stays in this evaluation.
          return expr.evaluate(scope, NO_BINDINGS);
        } finally {
          if (meter) meter.work += budget.work;
        }
      });
    } catch (error) {
      throw toExpressionError(error);
    }
    return toJsonResult(result, limits);
  };
  return {
    source,
    async evaluate(scope: unknown, meter?: WorkMeter): Promise<JsonValue> {
      return evaluateSync(scope, meter);
    },
    evaluateSync,
  };
}

function toJsonResult(result: unknown, limits: ExpressionLimits): JsonValue {
  if (result === undefined) return null;
  if (isFunctionValue(result)) throw new ExpressionError('expression returned a function, not a value', 'T9001');
  if (jsonSizeUpTo(result, limits.maxResultChars) > limits.maxResultChars) {
    throw new ExpressionError(`expression result is larger than ${limits.maxResultChars} characters`, 'D9004');
  }
  // Drops functions and JSONata's internal sequence flags, so the value is plain JSON.
  return JSON.parse(JSON.stringify(result) ?? 'null') as JsonValue;
}

/** A JS function, or a JSONata lambda / wrapped native function (objects that carry their whole environment). */
function isFunctionValue(value: unknown): boolean {
  if (typeof value === 'function') return true;
  if (value === null || typeof value !== 'object') return false;
  const marked = value as { _jsonata_lambda?: unknown; _jsonata_function?: unknown };
  return marked._jsonata_lambda === true || marked._jsonata_function === true;
}

function toExpressionError(error: unknown): ExpressionError {
  if (error instanceof ExpressionError) return error;
  if (error instanceof RangeError) return new ExpressionError(`expression exceeded a limit: ${error.message}`, 'D9005');
  const failure = (error ?? {}) as JsonataFailure;
  const message = failure.message ?? String(error);
  const where = typeof failure.position === 'number' ? ` (at character ${failure.position})` : '';
  return new ExpressionError(`${message}${where}`, failure.code ?? 'E0000', failure.position);
}

/** Refuses, at compile time, calls of non-deterministic functions and regular expressions RE2 cannot run. */
function rejectUnsafeConstructs(ast: unknown): void {
  const stack: unknown[] = [ast];
  let visited = 0;
  while (stack.length > 0 && visited++ < 100_000) {
    const node = stack.pop();
    if (node === null || typeof node !== 'object') continue;
    const call = node as { type?: string; procedure?: { type?: string; value?: unknown } };
    if (call.type === 'function' && call.procedure?.type === 'variable' && (NON_DETERMINISTIC as readonly unknown[]).includes(call.procedure.value)) {
      throw new ExpressionError(`$${String(call.procedure.value)}() is not available: expressions must be deterministic`, 'D9001');
    }
    if (node instanceof RegExp) {
      compileRe2(node.source, node.flags);
      continue;
    }
    for (const value of Object.values(node)) stack.push(value);
  }
}
