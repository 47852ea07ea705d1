/** Bounds applied to every expression evaluation. Steps, not time, so that the bound is deterministic in workflow code. */
export interface ExpressionLimits {
  /** Longest accepted expression source. */
  maxSourceLength: number;
  /** Evaluation steps (AST node visits) one evaluation may take. */
  maxSteps: number;
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
  maxSteps: 250_000,
  maxDepth: 400,
  maxSequence: 1_000_000,
  maxResultChars: 1_000_000,
  maxPadWidth: 100_000,
};
