import jsonata from 'jsonata';
import { jsonSizeUpTo, type JsonValue } from '../json.js';
import { DEFAULT_EXPRESSION_LIMITS, type ExpressionLimits } from './limits.js';
import { rememberedCheck } from './check-cache.js';

/** Raised for an expression that does not parse or that fails while evaluating. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    readonly code: string,
    readonly position?: number,
  ) {
    super(message);
  }
}

export interface CompiledExpression {
  readonly source: string;
  /** Evaluates against `scope`; the result is plain JSON (`null` for no value). */
  evaluate(scope: unknown): Promise<JsonValue>;
}

interface JsonataFailure {
  code?: string;
  message?: string;
  position?: number;
  token?: string;
}

/** Per-evaluation budget. */
interface Budget {
  steps: number;
  depth: number;
}

/**
 * The budget of the evaluation in progress. Evaluation is synchronous, so exactly one runs at a
 * time; keeping the budget out of JSONata's bindings means no expression can read or replace it.
 */
let activeBudget: Budget | null = null;

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
    expr = jsonata(source);
  } catch (error) {
    throw toExpressionError(error);
  }
  rejectUnsafeConstructs(expr.ast());
  return expr;
}

export function compileExpression(source: string, limits: ExpressionLimits = DEFAULT_EXPRESSION_LIMITS): CompiledExpression {
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
  // JSONata 1.x evaluates synchronously (generators, no promise per step): far cheaper inside
  // Temporal's workflow sandbox, which tracks every promise. The hooks bound each evaluation.
  expr.assign('__evaluate_entry', () => {
    const budget = activeBudget!;
    budget.steps++;
    budget.depth++;
    if (budget.steps > limits.maxSteps) throw new ExpressionError(`expression took more than ${limits.maxSteps} steps`, 'D9003');
    if (budget.depth > limits.maxDepth) throw new ExpressionError(`expression nests deeper than ${limits.maxDepth} levels`, 'D9006');
  });
  expr.assign('__evaluate_exit', (node: { type?: string }, _input: unknown, _environment: unknown, result: unknown) => {
    activeBudget!.depth--;
    if (Array.isArray(result) && result.length > limits.maxSequence && !READS.has(node.type ?? '')) {
      throw new ExpressionError(`expression built a list longer than ${limits.maxSequence} items`, 'D9007');
    }
  });
  return {
    source,
    async evaluate(scope: unknown): Promise<JsonValue> {
      let result: unknown;
      try {
        const outer = activeBudget;
        activeBudget = { steps: 0, depth: 0 };
        try {
          result = expr.evaluate(scope);
        } finally {
          activeBudget = outer;
        }
      } catch (error) {
        throw toExpressionError(error);
      }
      return toJsonResult(result, limits);
    },
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

/** Nested quantifiers such as `(a+)+` backtrack catastrophically; a single evaluation step could hang the worker. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]/;

/** Refuses, at compile time, calls of non-deterministic functions and regexes that could hang a worker. */
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
      if (NESTED_QUANTIFIER.test(node.source) || /\\[1-9]/.test(node.source)) {
        throw new ExpressionError(`regular expression /${node.source}/ may backtrack without bound; simplify it`, 'S9001');
      }
      continue;
    }
    for (const value of Object.values(node)) stack.push(value);
  }
}
