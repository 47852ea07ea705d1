import { GraphQLJSON } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';

@ObjectType('StepAttempt', { description: 'A failed attempt of a step that was retried (its STEP_RETRYING event).' })
export class StepAttemptType {
  @Field(() => Int, { description: 'The attempt that failed, from 1.' })
  attempt!: number;

  @Field()
  at!: Date;

  @Field(() => GraphQLJSON, { description: '{ message, type }' })
  error!: JsonValue;

  @Field(() => Int, { nullable: true, description: 'How long the step waited before the next attempt.' })
  delayMs?: number | null;
}

@ObjectType('HttpRequestSent')
export class HttpRequestSentType {
  @Field()
  method!: string;

  @Field()
  url!: string;

  @Field(() => GraphQLJSON, { description: 'Header name to value; secrets show as `[secret NAME]`.' })
  headers!: JsonValue;
}

@ObjectType('HttpResponseReceived')
export class HttpResponseReceivedType {
  @Field(() => Int)
  status!: number;

  @Field({ description: 'The start of the body as text (2,048 characters at most); secret values show as `***`.' })
  bodyExcerpt!: string;
}

@ObjectType('HttpExchange', { description: 'The last attempt of an http.request step.' })
export class HttpExchangeType {
  @Field(() => HttpRequestSentType)
  request!: HttpRequestSentType;

  @Field(() => HttpResponseReceivedType, { nullable: true, description: 'Null when no answer came (network error, timeout, refused target).' })
  response?: HttpResponseReceivedType | null;
}

@ObjectType('ExecutionStep', { description: 'One run of one node of an execution, with its whole values (see docs/api.md#executionstep).' })
export class ExecutionStepType {
  @Field()
  nodeId!: string;

  @Field(() => Int, { description: "The node's run, from 0: a loop body's nodes run once per iteration." })
  iteration!: number;

  @Field(() => String, { nullable: true })
  nodeType?: string | null;

  @Field({ description: 'RUNNING, WAITING, SUCCEEDED or FAILED.' })
  status!: string;

  @Field(() => Date, { nullable: true })
  startedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt?: Date | null;

  @Field(() => Int, { nullable: true })
  durationMs?: number | null;

  @Field(() => GraphQLJSON, {
    nullable: true,
    description: 'The whole input (outputs of the nodes that activated it), up to 1 MiB of JSON; beyond, { truncated: true, size, preview }.',
  })
  input?: JsonValue | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'The whole output, up to 1 MiB of JSON; beyond, { truncated: true, size, preview }.' })
  output?: JsonValue | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'When it failed: { message, cause: { type, message } }.' })
  error?: JsonValue | null;

  @Field(() => [GraphQLJSON], { description: 'The error and its causes, outermost first, each { message, type? } without its cause.' })
  causes!: JsonValue[];

  @Field(() => [StepAttemptType], { description: 'Failed attempts before the last one, in order.' })
  attempts!: StepAttemptType[];

  @Field(() => HttpExchangeType, { nullable: true, description: 'For http.request: what its last attempt sent and received.' })
  http?: HttpExchangeType | null;

  @Field({ description: 'True when a retry took this step from the run it retries instead of executing it.' })
  reused!: boolean;
}

@ObjectType('TemporalRun', { description: 'One Temporal run of an execution: one, or one per continue-as-new, oldest first.' })
export class TemporalRunType {
  @Field()
  workflowId!: string;

  @Field()
  runId!: string;

  @Field({ description: "Temporal's status: RUNNING, COMPLETED, FAILED, CONTINUED_AS_NEW, CANCELLED, TERMINATED, TIMED_OUT." })
  status!: string;

  @Field()
  startedAt!: Date;

  @Field(() => Date, { nullable: true })
  closedAt?: Date | null;

  @Field(() => Int, { description: 'Events in its history.' })
  events!: number;

  @Field({ description: 'Path of its history download (owner only): GET with the bearer token.' })
  historyUrl!: string;
}
