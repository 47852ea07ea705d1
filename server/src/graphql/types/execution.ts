import { GraphQLJSON } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { EXECUTION_EVENT_TYPES, EXECUTION_STATUSES, type ExecutionStatus, type JsonValue } from '@tandem/schema';
import { connectionOf, type Connection } from '../connection.js';

export const ExecutionStatusEnum = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, s])) as { [K in ExecutionStatus]: K };
registerEnumType(ExecutionStatusEnum, { name: 'ExecutionStatus' });

export const ExecutionEventTypeEnum = Object.fromEntries(EXECUTION_EVENT_TYPES.map((s) => [s, s])) as Record<string, string>;
registerEnumType(ExecutionEventTypeEnum, { name: 'ExecutionEventType' });

@ObjectType('Execution', { description: 'One run of a deployed workflow version on Temporal.' })
export class ExecutionType {
  @Field(() => ID)
  id!: string;

  @Field(() => ExecutionStatusEnum)
  status!: ExecutionStatus;

  @Field(() => GraphQLJSON)
  input!: JsonValue;

  @Field(() => GraphQLJSON, { nullable: true })
  result?: JsonValue | null;

  @Field(() => GraphQLJSON, { nullable: true, description: '{ message, nodeId, nodeType, cause } when the run failed.' })
  error?: JsonValue | null;

  @Field()
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  finishedAt?: Date | null;

  @Field()
  temporalWorkflowId!: string;

  @Field()
  temporalRunId!: string;

  @Field(() => ID)
  workflowId!: string;

  @Field(() => Int, { description: 'The workflow version this run executes.' })
  versionNumber!: number;

  @Field(() => ID, { nullable: true, description: 'For a sub-workflow run: the run that started it.' })
  parentExecutionId?: string | null;

  @Field(() => String, { nullable: true, description: 'For a sub-workflow run: the subworkflow node that started it.' })
  parentNodeId?: string | null;
}

@ObjectType('ExecutionEvent')
export class ExecutionEventType {
  @Field(() => ID, { description: 'Globally unique, ordered cursor: pass it as `after` to resume.' })
  id!: string;

  @Field(() => Int, { description: 'Position within the execution, from 1, without gaps.' })
  sequence!: number;

  @Field(() => ID)
  executionId!: string;

  @Field(() => ExecutionEventTypeEnum)
  type!: string;

  @Field(() => String, { nullable: true })
  nodeId?: string | null;

  @Field()
  at!: Date;

  @Field(() => GraphQLJSON)
  data!: JsonValue;
}

@InputType()
export class ExecutionFilter {
  @Field(() => ID, { nullable: true })
  workflowId?: string | null;

  @Field(() => ExecutionStatusEnum, { nullable: true })
  status?: ExecutionStatus | null;

  @Field(() => Date, { nullable: true, description: 'Runs started at or after this time (with startedBefore: the runs behind a metrics point).' })
  startedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Runs started before this time.' })
  startedBefore?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Runs that ended at or after this time.' })
  finishedFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Runs that ended before this time.' })
  finishedBefore?: Date | null;
}

export const { Connection: ExecutionConnection } = connectionOf(ExecutionType, 'Execution');
export type ExecutionConnection = Connection<ExecutionType>;

export const { Connection: ExecutionEventConnection } = connectionOf(ExecutionEventType, 'ExecutionEvent');
export type ExecutionEventConnection = Connection<ExecutionEventType>;
