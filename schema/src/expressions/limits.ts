/** Bounds applied to every expression evaluation. Work, not time, so that the bound is deterministic in workflow code. */
export interface ExpressionLimits {
  /** Longest accepted expression source. */
  maxSourceLength: number;
  /**
   * Work one evaluation may do, in units: one per evaluation step (AST node visit), one per 64
   * characters of a string a step built, one per 4 items of a list it built, and the text a
   * regular expression scans (about 300 characters a unit, more for larger patterns).
   */
  maxWork: number;
  /** Deepest evaluation stack (recursion). */
  maxDepth: number;
  /** Longest list an evaluation may build (data read as it is does not count). */
  maxSequence: number;
  /** Largest result, as characters of JSON. */
  maxResultChars: number;
  /** Widest `$pad` result. */
  maxPadWidth: number;
}

export const DEFAULT_EXPRESSION_LIMITS: ExpressionLimits = {
  maxSourceLength: 10_000,
  maxWork: 50_000,
  maxDepth: 400,
  maxSequence: 1_000_000,
  maxResultChars: 1_000_000,
  maxPadWidth: 100_000,
};
