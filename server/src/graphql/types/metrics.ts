import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

@ObjectType({
  description:
    'Figures of a time window: a point of a series (starting at `at`), or a whole range. Runs are counted in the window their event happened in (started when started, completed/failed/cancelled when they ended). Durations are milliseconds; percentiles are within `sketchRelativeAccuracy` of the exact value.',
})
export class MetricsPoint {
  @Field()
  at!: Date;

  @Field(() => Int)
  started!: number;

  @Field(() => Int, { description: 'Runs (or steps, for a node) that completed.' })
  completed!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int, { description: 'Runs cancelled (always 0 for a node).' })
  cancelled!: number;

  @Field(() => Int, { description: 'Step retries (STEP_RETRYING events).' })
  retries!: number;

  @Field(() => Float, { nullable: true, description: 'completed / (completed + failed); null when nothing ended so.' })
  successRate!: number | null;

  @Field(() => Float, { nullable: true, description: 'Run duration (start request to end; completed and failed runs), or step duration for a node.' })
  durationP50!: number | null;

  @Field(() => Float, { nullable: true })
  durationP95!: number | null;

  @Field(() => Float, { nullable: true })
  durationP99!: number | null;

  @Field(() => Float, { nullable: true })
  durationMean!: number | null;

  @Field(() => Float, { nullable: true, description: 'From the start request to the first step starting (runs only).' })
  firstStepP50!: number | null;

  @Field(() => Float, { nullable: true })
  firstStepP95!: number | null;
}

@ObjectType({ description: 'One node of a workflow: its step figures over the range and as a series.' })
export class NodeMetricsType {
  @Field(() => ID)
  workflowId!: string;

  @Field()
  workflowName!: string;

  @Field()
  nodeId!: string;

  @Field()
  nodeType!: string;

  @Field(() => MetricsPoint)
  totals!: MetricsPoint;

  @Field(() => [MetricsPoint])
  points!: MetricsPoint[];
}

@ObjectType({ description: 'A deploy inside the range, to mark on the time axis.' })
export class DeployMarkType {
  @Field(() => Int)
  version!: number;

  @Field()
  at!: Date;

  @Field()
  message!: string;
}

@ObjectType({ description: 'Runs not ended, now.' })
export class RunsInProgress {
  @Field(() => Int)
  running!: number;

  @Field(() => Int)
  waiting!: number;

  @Field(() => Int)
  paused!: number;
}

@ObjectType({ description: "A workflow's run and node figures over a range." })
export class WorkflowMetricsType {
  @Field(() => ID)
  workflowId!: string;

  @Field()
  from!: Date;

  @Field()
  to!: Date;

  @Field(() => Int, { description: 'Seconds per point.' })
  step!: number;

  @Field(() => [MetricsPoint], { description: 'Run figures, one point per step from `from`.' })
  points!: MetricsPoint[];

  @Field(() => MetricsPoint)
  totals!: MetricsPoint;

  @Field(() => [NodeMetricsType], { description: 'Every node that ran in the range.' })
  nodes!: NodeMetricsType[];

  @Field(() => [DeployMarkType])
  deploys!: DeployMarkType[];

  @Field(() => RunsInProgress)
  inProgress!: RunsInProgress;

  @Field(() => Float, { description: 'Every percentile is within this relative error of the exact value (0.01 = 1 %).' })
  sketchRelativeAccuracy!: number;
}

@ObjectType()
export class WorkflowMetricsSummary {
  @Field(() => ID)
  workflowId!: string;

  @Field()
  workflowName!: string;

  @Field(() => MetricsPoint)
  totals!: MetricsPoint;
}

@ObjectType({ description: 'Figures across every workflow you can see.' })
export class MetricsOverviewType {
  @Field()
  from!: Date;

  @Field()
  to!: Date;

  @Field(() => Int)
  step!: number;

  @Field(() => [MetricsPoint])
  points!: MetricsPoint[];

  @Field(() => MetricsPoint)
  totals!: MetricsPoint;

  @Field(() => RunsInProgress)
  inProgress!: RunsInProgress;

  @Field(() => [WorkflowMetricsSummary], { description: 'Workflows that ran in the range, most runs first.' })
  workflows!: WorkflowMetricsSummary[];

  @Field(() => [WorkflowMetricsSummary])
  topFailingWorkflows!: WorkflowMetricsSummary[];

  @Field(() => [NodeMetricsType])
  topFailingNodes!: NodeMetricsType[];

  @Field(() => [NodeMetricsType], { description: 'Nodes by step duration P95, slowest first.' })
  slowestNodes!: NodeMetricsType[];

  @Field(() => Float)
  sketchRelativeAccuracy!: number;
}

@ObjectType({ description: 'New figures were counted for these workflows: read them again.' })
export class MetricsUpdateType {
  @Field(() => [ID])
  workflowIds!: string[];

  @Field()
  at!: Date;
}
