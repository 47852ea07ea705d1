import { GraphQLError, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import { createRequire } from 'node:module';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';

// Its ESM build imports graphql's .mjs files, a second graphql instance beside the CommonJS
// one everything else uses ("another module or realm"); its CommonJS build shares ours.
const { getComplexity, simpleEstimator } = createRequire(import.meta.url)('graphql-query-complexity') as typeof QueryComplexity;

export const MAX_DEPTH = 10;
export const MAX_COMPLEXITY = 5_000;

/**
 * Validation rules for every operation, over HTTP and over graphql-ws alike. They expand fragment
 * spreads, so they run only on documents guard.ts has measured first.
 */
export const validationRules: ValidationRule[] = [depthLimit(MAX_DEPTH) as ValidationRule];

/** A list field costs its page size times what each item asks for. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + Math.max(args.first, 1) * childComplexity;
  return undefined;
};

/** Throws a BAD_USER_INPUT error when an operation asks for more than the limit. */
export function checkComplexity(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string | null): void {
  let complexity: number;
  try {
    complexity = getComplexity({
      schema,
      query: document,
      variables,
      ...(operationName ? { operationName } : {}),
      estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
    });
  } catch (error) {
    // It coerces the variables first (a missing, null or mistyped one is reported here, before
    // execution would) and stops at maxQueryNodes: both are the client's mistakes, not ours.
    if (!(error instanceof GraphQLError)) throw error;
    const tooBig = /maximum allowed number of nodes/.test(error.message);
    throw new GraphQLError(tooBig ? 'the operation has too many fields to estimate its cost; ask for fewer' : error.message, {
      ...(error.nodes ? { nodes: error.nodes } : {}),
      extensions: { code: 'BAD_USER_INPUT', reason: tooBig ? 'QUERY_TOO_LARGE' : 'BAD_VARIABLES', http: { status: 400 } },
    });
  }
  if (complexity > MAX_COMPLEXITY) {
    throw new GraphQLError(`the operation is too complex (${complexity}, the limit is ${MAX_COMPLEXITY}); ask for fewer items or fields`, {
      extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX', complexity, maxComplexity: MAX_COMPLEXITY, http: { status: 400 } },
    });
  }
}
