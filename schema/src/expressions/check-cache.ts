import type { ExpressionError } from './expression.js';

/**
 * Results of checking expression and template text with the default limits. Checking is
 * pure, and the editor re-validates a whole graph on every edit, where all but one field
 * are unchanged: remembering the verdicts makes that cost one parse, not one per field.
 */
const verdicts = new Map<string, ExpressionError | null>();
const MAX_ENTRIES = 20_000;

export function rememberedCheck(key: string, check: () => ExpressionError | null): ExpressionError | null {
  const known = verdicts.get(key);
  if (known !== undefined) return known;
  const verdict = check();
  if (verdicts.size >= MAX_ENTRIES) verdicts.delete(verdicts.keys().next().value!);
  verdicts.set(key, verdict);
  return verdict;
}

/** Forgets every remembered verdict (benchmarks measure a first check this way). */
export function clearExpressionCheckCache(): void {
  verdicts.clear();
}
