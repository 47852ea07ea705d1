import type { ApolloServerPlugin } from '@apollo/server';
import { Kind, type OperationDefinitionNode } from 'graphql';
import { ERROR_CODES } from '../errors.js';
import type { ServerMetrics } from './prometheus.js';

/**
 * Times every GraphQL operation over HTTP and counts its errors. The `operation` label is the
 * root field the operation selects (a name from the schema, so bounded), 'multiple' when it
 * selects several, 'invalid' when it never resolved; never the client's operation name.
 */
export function operationMetricsPlugin(metrics: ServerMetrics): ApolloServerPlugin {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      let operation = 'invalid';
      let kind = 'unknown';
      return {
        async didResolveOperation({ operation: resolved }) {
          if (!resolved) return;
          operation = rootFieldOf(resolved);
          kind = resolved.operation;
        },
        async willSendResponse({ errors }) {
          metrics.observeOperation(operation, kind, Number(process.hrtime.bigint() - started) / 1e9, errorCodesOf(errors));
        },
      };
    },
  };
}

/** The API's codes of a response's errors (anything else counts as INTERNAL). */
export function errorCodesOf(errors: readonly { extensions?: Record<string, unknown> }[] | undefined): string[] {
  return (errors ?? []).map((error) => {
    const code = error.extensions?.code;
    return typeof code === 'string' && ERROR_CODES.has(code) ? code : 'INTERNAL';
  });
}

/** The root field an operation selects (a name from the schema), 'multiple' or 'invalid'. */
export function rootFieldOf(operation: OperationDefinitionNode): string {
  const fields = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && s.name.value !== '__typename');
  if (fields.length !== 1) return fields.length === 0 ? 'invalid' : 'multiple';
  return fields[0]!.kind === Kind.FIELD ? fields[0]!.name.value : 'invalid';
}
