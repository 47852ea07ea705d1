import { RE2JS } from 're2js';
import { canAfford, charge, overBudget } from './budget.js';
import { ExpressionError } from './error.js';

/** Longest regular expression source accepted. */
export const MAX_REGEX_SOURCE = 1_000;

/** Text a regular expression may scan per unit of budget, for a one-instruction program. */
const CHARS_PER_UNIT = 300;

/**
 * JSONata's regular expressions, run by RE2 (re2js) instead of the backtracking JavaScript
 * engine: matching takes time linear in the text, so no pattern can stall a worker. JSONata
 * 1.8 constructs its `RegexEngine` with the literal's `RegExp` (flags `g`, and `i`/`m` when
 * written) and uses `lastIndex` and `exec` only, which is all this implements.
 */
export class Re2RegExp {
  lastIndex = 0;
  readonly source: string;
  readonly flags: string;
  private readonly pattern: RE2JS;
  /** Units one scanned character costs: more for larger programs (RE2 may run an NFA over them). */
  private readonly costPerChar: number;

  constructor(literal: RegExp | string) {
    this.source = typeof literal === 'string' ? literal : literal.source;
    this.flags = typeof literal === 'string' ? 'g' : literal.flags;
    this.pattern = compileRe2(this.source, this.flags);
    this.costPerChar = (this.pattern.programSize() + 10) / CHARS_PER_UNIT;
  }

  exec(text: string): RegExpExecArray | null {
    const from = this.lastIndex;
    if (typeof text !== 'string' || from > text.length) {
      this.lastIndex = 0;
      return null;
    }
    // Charged before scanning: the scan itself cannot be interrupted.
    const cost = Math.ceil((text.length - from) * this.costPerChar);
    if (!canAfford(cost)) throw overBudget();
    charge(cost);
    const matcher = this.pattern.matcher(text);
    if (!matcher.find(from)) {
      this.lastIndex = 0;
      return null;
    }
    const groups: Array<string | undefined> = [matcher.group(0) ?? ''];
    for (let i = 1; i <= matcher.groupCount(); i++) groups.push(matcher.group(i) ?? undefined);
    const match = groups as unknown as RegExpExecArray;
    match.index = matcher.start(0);
    match.input = text;
    this.lastIndex = matcher.end(0);
    return match;
  }

  test(text: string): boolean {
    return this.exec(text) !== null;
  }
}

/** Compiles a regular expression for RE2, naming what RE2 cannot run (back-references, lookaround). */
export function compileRe2(source: string, flags = ''): RE2JS {
  if (source.length > MAX_REGEX_SOURCE) {
    throw new ExpressionError(`regular expression is longer than ${MAX_REGEX_SOURCE} characters`, 'S9001');
  }
  let options = 0;
  if (flags.includes('i')) options |= RE2JS.CASE_INSENSITIVE;
  if (flags.includes('m')) options |= RE2JS.MULTILINE;
  try {
    return RE2JS.compile(source, options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ExpressionError(
      `regular expression /${source.length > 60 ? `${source.slice(0, 60)}…` : source}/ is not supported: ${reason} (Tandem runs regular expressions with RE2: no back-references or lookahead)`,
      'S9001',
    );
  }
}
