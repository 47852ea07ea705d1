import {
  getVariableValues,
  GraphQLError,
  Kind,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValidationRule,
} from 'graphql';
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

/**
 * A list field costs its page size times what each item asks for. The cost of a document
 * depends on its variables only through `first` (read here) and `@skip`/`@include`'s `if`: an
 * estimator that reads another argument must add it to COST_ARGUMENTS.
 */
const pagedEstimator: ComplexityEstimator = ({ args, childComplexity }) => {
  if (typeof args.first === 'number') return 1 + Math.max(args.first, 1) * childComplexity;
  return undefined;
};

/** Arguments whose variables can change a document's cost (see pagedEstimator). */
const COST_ARGUMENTS = new Set(['first', 'if']);
/** Costs computed per document, keyed by operation name and the values of its cost variables. */
const COSTS_PER_DOCUMENT = 64;

interface KnownCosts {
  operation: OperationDefinitionNode;
  /** Names of the variables used in a COST_ARGUMENTS argument, anywhere in the document. */
  costVariables: string[];
  costs: Map<string, number>;
}

// Documents are the guard's parsed and cached ones (the same object for the same query), so a
// frequent operation's cost is computed once per distinct page size instead of on every request.
const knownCosts = new WeakMap<DocumentNode, KnownCosts | null>();

function knownCostsOf(document: DocumentNode): KnownCosts | null {
  let known = knownCosts.get(document);
  if (known !== undefined) return known;
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  known = null;
  // Documents of one operation only: with several, which ones count depends on the operation name.
  if (operations.length === 1) {
    const costVariables = new Set<string>();
    visit(document, {
      Argument(argument) {
        if (!COST_ARGUMENTS.has(argument.name.value)) return;
        visit(argument.value, { Variable: (variable) => void costVariables.add(variable.name.value) });
      },
    });
    known = { operation: operations[0]!, costVariables: [...costVariables], costs: new Map() };
  }
  knownCosts.set(document, known);
  return known;
}

/** Throws a BAD_USER_INPUT error when an operation asks for more than the limit. */
export function checkComplexity(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown> = {}, operationName?: string | null): void {
  const known = knownCostsOf(document);
  let key: string | undefined;
  // The variables are checked on every request (a bad one is reported as below), the cost only once.
  if (known && getVariableValues(schema, known.operation.variableDefinitions ?? [], variables).errors === undefined) {
    // A variable left out (its default applies) and one sent as null cost differently: [] and [null].
    key = `${operationName ?? ''}\u0000${JSON.stringify(known.costVariables.map((name) => (Object.hasOwn(variables, name) ? [variables[name]] : [])))}`;
    const cost = known.costs.get(key);
    if (cost !== undefined) return refuseAbove(cost);
  }
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
  if (known && key !== undefined) {
    if (known.costs.size >= COSTS_PER_DOCUMENT) known.costs.clear();
    known.costs.set(key, complexity);
  }
  refuseAbove(complexity);
}

function refuseAbove(complexity: number): void {
  if (complexity > MAX_COMPLEXITY) {
    throw new GraphQLError(`the operation is too complex (${complexity}, the limit is ${MAX_COMPLEXITY}); ask for fewer items or fields`, {
      extensions: { code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COMPLEX', complexity, maxComplexity: MAX_COMPLEXITY, http: { status: 400 } },
    });
  }
}
