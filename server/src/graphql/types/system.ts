import { Field, Float, Int, ObjectType } from 'type-graphql';

/** Count and latency quantiles of one histogram (operations, event lag). */
@ObjectType()
class LatencyFigures {
  @Field(() => Int, { description: 'Observations (operations served, events stored).' })
  count!: number;

  @Field(() => Float, { nullable: true })
  p50Ms!: number | null;

  @Field(() => Float, { nullable: true })
  p95Ms!: number | null;

  @Field(() => Float, { nullable: true })
  p99Ms!: number | null;

  @Field(() => Float, { nullable: true })
  meanMs!: number | null;
}

@ObjectType({
  description:
    "Latency of GraphQL operations in milliseconds, estimated from the server's histogram buckets as Prometheus's histogram_quantile does (accurate to the bucket's width: 5, 10, 25, 50, 100, 200, 500 ms, 1, 2.5, 5, 10 s). Null when nothing was observed.",
})
export class OperationFiguresType extends LatencyFigures {
  @Field({ description: "The root field the operation selects (a schema name), 'multiple' when several, 'invalid' when it never resolved." })
  operation!: string;

  @Field({ description: 'query or mutation (unknown when the operation never resolved). Subscriptions over websockets are not counted.' })
  kind!: string;

  @Field(() => Int, { description: 'Errors their responses carried (see `errors` for the codes).' })
  errors!: number;
}

@ObjectType({ description: 'Errors returned by one operation with one code.' })
export class ErrorFiguresType {
  @Field()
  operation!: string;

  @Field({ description: 'The error code (UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, BAD_USER_INPUT, RATE_LIMITED, CONFLICT, INTERNAL).' })
  code!: string;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: "The installation's Temporal task queue, from DescribeTaskQueue." })
export class TaskQueueFiguresType {
  @Field()
  name!: string;

  @Field(() => Int, { description: 'Workflow and activity tasks waiting for a worker (approximate).' })
  backlog!: number;

  @Field(() => Int, { description: 'Workers that polled for workflow tasks in the last minute.' })
  workflowPollers!: number;

  @Field(() => Int, { description: 'Workers that polled for activity tasks in the last minute.' })
  activityPollers!: number;
}

@ObjectType({ description: 'From an execution event being emitted by the worker to it being stored by this server, in milliseconds (bucket estimates).' })
export class EventLagFiguresType extends LatencyFigures {
  @Field(() => Int, { description: 'Events received and not yet stored, now.' })
  waiting!: number;

  @Field(() => Float, { description: 'How long the oldest of them has waited, now (0 when none).' })
  oldestWaitingMs!: number;
}

@ObjectType({ description: 'Open websocket connections to this server, now.' })
export class WebsocketFiguresType {
  @Field(() => Int, { description: 'GraphQL subscriptions (graphql-ws) at /graphql.' })
  graphql!: number;

  @Field(() => Int, { description: 'Collaborative editing at /collab/<workflow id>.' })
  collab!: number;
}

@ObjectType({
  description:
    "The system figures of the API server that answers, since it started (each server of an installation has its own; Prometheus's /metrics sums them across servers): GraphQL latency and errors by operation, the task queue's backlog and pollers, event lag and websocket connections.",
})
export class SystemMetricsType {
  @Field({ description: 'When these figures were read.' })
  at!: Date;

  @Field({ description: 'When this server started counting (its start).' })
  since!: Date;

  @Field(() => [OperationFiguresType], { description: 'By operation, the most served first.' })
  operations!: OperationFiguresType[];

  @Field(() => [ErrorFiguresType], { description: 'By operation and code, the most frequent first.' })
  errors!: ErrorFiguresType[];

  @Field(() => TaskQueueFiguresType, { nullable: true, description: 'Null when Temporal did not answer within 2 s.' })
  taskQueue!: TaskQueueFiguresType | null;

  @Field(() => EventLagFiguresType)
  eventLag!: EventLagFiguresType;

  @Field(() => WebsocketFiguresType)
  websocketConnections!: WebsocketFiguresType;
}
