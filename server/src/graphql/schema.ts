import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AccountResolver } from './resolvers/accounts.js';
import { CollaborationResolver } from './resolvers/collaboration.js';
import { TemplateResolver } from './resolvers/templates.js';
import { ExecutionResolver } from './resolvers/executions.js';
import { WorkflowResolver, WorkflowVersionResolver } from './resolvers/workflows.js';
import { SecretResolver } from './resolvers/secrets.js';
import { AuditResolver } from './resolvers/audit.js';
import { ExecutionReplayResolver } from './resolvers/replay.js';
import { MetricsResolver } from './resolvers/metrics.js';
import { SystemResolver } from './resolvers/system.js';

let built: Promise<GraphQLSchema> | undefined;

/** The API schema, built once per process (type-graphql keeps global metadata). */
export function buildApiSchema(): Promise<GraphQLSchema> {
  built ??= buildSchema({
    resolvers: [
      AccountResolver,
      WorkflowResolver,
      CollaborationResolver,
      WorkflowVersionResolver,
      ExecutionResolver,
      TemplateResolver,
      SecretResolver,
      AuditResolver,
      ExecutionReplayResolver,
      MetricsResolver,
      SystemResolver,
    ],
    validate: false,
    // Every subscription brings its own `subscribe` (the event service); type-graphql still asks for a PubSub.
    pubSub: {
      publish: () => {
        throw new Error('the API does not publish through type-graphql');
      },
      subscribe: () => {
        throw new Error('subscriptions use their own subscribe functions');
      },
    },
  });
  return built;
}

/** The SDL committed at schema/graphql/schema.graphql. */
export async function printApiSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildApiSchema()))}\n`;
}
