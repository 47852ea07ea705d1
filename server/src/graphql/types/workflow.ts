import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';
import { connectionOf, type Connection } from '../connection.js';
import type { UserType } from './user.js';

@ObjectType('Workflow')
export class WorkflowType {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field()
  description!: string;

  @Field(() => GraphQLJSON, { description: 'The draft, as a tandem.workflow/v1 document.' })
  definition!: JsonValue;

  @Field(() => Int, { description: 'Number of the latest deployed version; 0 before the first deploy.' })
  latestVersion!: number;

  @Field(() => String, {
    nullable: true,
    description:
      'Authenticates webhook deliveries: send it as x-tandem-webhook-secret, or sign the body with it (x-tandem-signature: sha256=<hex HMAC>). Null unless you are an editor or the owner.',
  })
  webhookSecret!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

@ObjectType('WorkflowVersion', { description: 'An immutable, numbered deployment of a workflow.' })
export class WorkflowVersionType {
  @Field(() => ID)
  id!: string;

  @Field(() => Int)
  number!: number;

  @Field(() => GraphQLJSON)
  definition!: JsonValue;

  @Field()
  message!: string;

  @Field()
  createdAt!: Date;

  // Resolved by WorkflowVersionResolver: author, runCount, finishedRunCount, successRate.
  author?: UserType;
  authorId!: string;
  workflowId!: string;
}

@InputType()
export class CreateWorkflowInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => GraphQLJSON, { description: 'A tandem.workflow/v1 document; its name and description are replaced by the input’s.' })
  definition!: JsonValue;
}

@InputType()
export class WorkflowFilter {
  @Field(() => String, { nullable: true, description: 'Case-insensitive part of the name.' })
  search?: string | null;
}

export const { Connection: WorkflowConnection } = connectionOf(WorkflowType, 'Workflow');
export type WorkflowConnection = Connection<WorkflowType>;

export const { Connection: WorkflowVersionConnection } = connectionOf(WorkflowVersionType, 'WorkflowVersion');
export type WorkflowVersionConnection = Connection<WorkflowVersionType>;

@ObjectType('Schedule', { description: 'A Temporal Schedule that starts runs from a trigger.schedule node of the latest deployed version.' })
export class ScheduleType {
  @Field(() => ID)
  id!: string;

  @Field()
  nodeId!: string;

  @Field()
  cron!: string;

  @Field()
  timezone!: string;

  @Field()
  paused!: boolean;

  @Field(() => Date, { nullable: true })
  nextRunAt!: Date | null;
}
