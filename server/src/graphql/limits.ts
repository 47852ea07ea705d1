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

/** Validation rules for every operation, over HTTP and over graphql-ws alike. */
export const validationRules: ValidationRule[] = [depthLimit(MAX_DEPTH) as ValidationRule];

/** A list field costs its page size times what each item asks for. */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + Math.max(args.first, 1) * childComplexity;
  return undefined;
};

/** Throws a BAD_USER_INPUT error when an operation asks for more than the limit. */
export function checkComplexity(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string | null): void {
  const complexity = getComplexity({
    schema,
    query: document,
    variables,
    ...(operationName ? { operationName } : {}),
    estimators: [pagedEstimator, simpleEstimator({ defaultComplexity: 1 })],
  });
  if (complexity > MAX_COMPLEXITY) {
    throw new GraphQLError(`the operation is too complex (${complexity}, the limit is ${MAX_COMPLEXITY}); ask for fewer items or fields`, {
      extensions: { code: 'BAD_USER_INPUT', complexity, maxComplexity: MAX_COMPLEXITY, http: { status: 400 } },
    });
  }
}
