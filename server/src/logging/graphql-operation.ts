import type { ApolloServerPlugin } from '@apollo/server';
import { errorCodesOf, rootFieldOf } from '../metrics/graphql-plugin.js';
import { currentRequest } from './request-context.js';

/** Tells the request's log line which GraphQL operation it served and which error codes it answered. */
export function operationLogPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName }) {
          const state = currentRequest.getStore();
          if (!state || !operation) return;
          state.operation = rootFieldOf(operation);
          if (operationName) state.operationName = operationName;
        },
        async willSendResponse({ errors }) {
          const state = currentRequest.getStore();
          if (state && errors?.length) state.errorCodes = errorCodesOf(errors);
        },
      };
    },
  };
}
