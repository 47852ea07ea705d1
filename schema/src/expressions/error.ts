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
