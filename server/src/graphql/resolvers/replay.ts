import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Resolver, Root } from 'type-graphql';
import type { Execution } from '../../db/entities.js';
import type { ExecutionStepView, TemporalRunView } from '../../services/replay.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { ExecutionType } from '../types/execution.js';
import { ExecutionStepType, TemporalRunType } from '../types/replay.js';

/** The path of a Temporal run's history download. */
export function temporalHistoryPath(executionId: string, runId?: string): string {
  return `/api/executions/${encodeURIComponent(executionId)}/temporal-history${runId ? `?runId=${encodeURIComponent(runId)}` : ''}`;
}

/** Debugging runs: whole step values, the Temporal side of a run, retries. */
@Resolver(() => ExecutionType)
export class ExecutionReplayResolver {
  @Mutation(() => ExecutionType, {
    description:
      'A new run of an ended run from fromNodeId (default: the node it failed at), on its version or a newer deployed one, reusing the outputs of the steps it completed that the change does not affect (docs/engine.md#retry).',
  })
  async retryExecution(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: ApiContext,
    @Arg('fromNodeId', () => ID, { nullable: true }) fromNodeId?: string,
    @Arg('version', () => Int, { nullable: true }) version?: number,
  ): Promise<Execution> {
    const execution = await ctx.services.replay.retry(requireUser(ctx), id, fromNodeId, version);
    ctx.services.events.announce(execution);
    return execution;
  }

  @Mutation(() => ExecutionType, { description: 'Runs an ended run again from the start with the same input and trigger, on its version or a newer one.' })
  async rerunExecution(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: ApiContext,
    @Arg('version', () => Int, { nullable: true }) version?: number,
  ): Promise<Execution> {
    const execution = await ctx.services.replay.rerun(requireUser(ctx), id, version);
    ctx.services.events.announce(execution);
    return execution;
  }

  @FieldResolver(() => ExecutionStepType, {
    nullable: true,
    description: 'One run of a node with its whole values (iteration from 0, default 0); null when the node has no such run (or was skipped).',
  })
  async step(
    @Root() execution: Execution,
    @Arg('nodeId', () => ID) nodeId: string,
    @Ctx() ctx: ApiContext,
    @Arg('iteration', () => Int, { nullable: true }) iteration?: number,
  ): Promise<ExecutionStepView | null> {
    return ctx.services.replay.step(execution, nodeId, iteration ?? 0);
  }

  @FieldResolver(() => ExecutionType, { nullable: true, description: 'The run this one retries (retryExecution or rerunExecution).' })
  async retryOf(@Root() execution: Execution, @Ctx() ctx: ApiContext): Promise<Execution | null> {
    return ctx.services.replay.retryOf(execution);
  }

  @FieldResolver(() => ID, { nullable: true, description: 'The id of the run this one retries (no lookup, for lists).' })
  retryOfId(@Root() execution: Execution): string | null {
    return execution.retryOfId ?? null;
  }

  @FieldResolver(() => String, { nullable: true, description: 'For a retry: the node it ran from; null for a run again from the start.' })
  retryFromNodeId(@Root() execution: Execution): string | null {
    return execution.retryFromNodeId ?? null;
  }

  @FieldResolver(() => [ExecutionType], { description: 'Runs that retry this one, oldest first (at most 100).' })
  async retries(@Root() execution: Execution, @Ctx() ctx: ApiContext): Promise<Execution[]> {
    return ctx.services.replay.retries(execution);
  }

  @FieldResolver(() => [TemporalRunType], { description: 'The Temporal runs of this execution, oldest first: one, or one more per continue-as-new.' })
  async temporalRuns(@Root() execution: Execution, @Ctx() ctx: ApiContext): Promise<Array<TemporalRunView & { historyUrl: string }>> {
    const runs = await ctx.services.replay.temporalRuns(execution);
    return runs.map((run) => ({ ...run, historyUrl: temporalHistoryPath(execution.id, run.runId) }));
  }

  @FieldResolver(() => String, { description: 'Path of the current Temporal run’s history download (owner only; see docs/api.md#temporal-history).' })
  temporalHistoryUrl(@Root() execution: Execution): string {
    return temporalHistoryPath(execution.id);
  }
}
