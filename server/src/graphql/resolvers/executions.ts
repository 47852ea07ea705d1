import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { JsonValue } from '@tandem/schema';
import type { Execution, ExecutionEvent } from '../../db/entities.js';
import { checkInput } from '../../services/executions.js';
import { pageSize } from '../../pagination.js';
import type { ApiContext, SubscribeData } from '../context.js';
import { requireUser } from '../context.js';
import { toConnection } from '../connection.js';
import { ExecutionConnection, ExecutionEventConnection, ExecutionEventType, ExecutionFilter, ExecutionType } from '../types/execution.js';

@Resolver(() => ExecutionType)
export class ExecutionResolver {
  @Mutation(() => ExecutionType, { description: 'Starts a run of a deployed version (the latest when version is omitted).' })
  async startExecution(
    @Arg('workflowId', () => ID) workflowId: string,
    @Ctx() ctx: ApiContext,
    @Arg('input', () => GraphQLJSON, { nullable: true }) input?: JsonValue,
    @Arg('version', () => Int, { nullable: true }) version?: number,
  ): Promise<Execution> {
    const execution = await ctx.services.executions.start(requireUser(ctx), workflowId, checkInput(input ?? undefined), version);
    ctx.services.events.announce(execution);
    return execution;
  }

  @Query(() => ExecutionType)
  async execution(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Execution> {
    return ctx.services.executions.get(requireUser(ctx), id);
  }

  @Query(() => ExecutionConnection, { description: 'Runs of your workflows, newest first. first ≤ 100.' })
  async executions(
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('filter', () => ExecutionFilter, { nullable: true }) filter?: ExecutionFilter,
  ): Promise<ExecutionConnection> {
    return toConnection(await ctx.services.executions.list(requireUser(ctx), first, after, filter ?? {}), Boolean(after));
  }

  @Mutation(() => ExecutionType, { description: 'Asks Temporal to cancel the run; EXECUTION_CANCELLED follows.' })
  async cancelExecution(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Execution> {
    return ctx.services.executions.cancel(requireUser(ctx), id);
  }

  @Mutation(() => ExecutionType, { description: 'Sends a named signal with a JSON payload; a wait.signal node waiting for that name takes it.' })
  async signalExecution(
    @Arg('id', () => ID) id: string,
    @Arg('name') name: string,
    @Ctx() ctx: ApiContext,
    @Arg('payload', () => GraphQLJSON, { nullable: true }) payload?: JsonValue,
  ): Promise<Execution> {
    return ctx.services.executions.signal(requireUser(ctx), id, name, payload ?? undefined);
  }

  @Mutation(() => ExecutionType, { description: 'No new step starts until resumed; steps in flight finish. EXECUTION_PAUSED follows.' })
  async pauseExecution(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Execution> {
    return ctx.services.executions.pause(requireUser(ctx), id);
  }

  @Mutation(() => ExecutionType, { description: 'Continues a paused run where it stopped. EXECUTION_RESUMED follows.' })
  async resumeExecution(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Execution> {
    return ctx.services.executions.resume(requireUser(ctx), id);
  }

  @FieldResolver(() => [ExecutionType], { description: 'Sub-workflow runs this run started (at most 100, oldest first).' })
  async children(@Root() execution: Execution, @Ctx() ctx: ApiContext): Promise<Execution[]> {
    return ctx.services.executions.children(execution);
  }

  @FieldResolver(() => GraphQLJSON, {
    nullable: true,
    description: 'The running interpreter’s state: { status, paused, runningNodes, waitingFor, completedNodes, vars, pendingSignals }; null once ended.',
  })
  async liveState(@Root() execution: Execution, @Ctx() ctx: ApiContext): Promise<JsonValue | null> {
    return (await ctx.services.executions.liveState(execution)) as unknown as JsonValue | null;
  }

  @FieldResolver(() => ExecutionEventConnection, { description: 'The stored events, in order; after = an event id. first ≤ 500.' })
  async events(
    @Root() execution: Execution,
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<ExecutionEventConnection> {
    const limit = pageSize(first ?? 100, 500);
    const afterSequence = await ctx.services.events.sequenceOfCursor(execution.id, after);
    const rows = await ctx.services.events.after(execution.id, afterSequence, limit + 1);
    const totalCount = await ctx.services.events.count(execution.id);
    return toConnection({ items: rows.slice(0, limit), hasNextPage: rows.length > limit, totalCount, cursorOf: (e: ExecutionEvent) => e.id }, Boolean(after));
  }

  @Subscription(() => ExecutionEventType, {
    description:
      'Everything stored after the cursor `after` (an event id; from the start when omitted), then live events, with no gap and no duplicate; completes after the terminal event.',
    subscribe: async ({ args, context }: SubscribeData<{ executionId: string; after?: string | null }>) => {
      const execution = await context.services.executions.get(requireUser(context), args.executionId);
      const afterSequence = await context.services.events.sequenceOfCursor(execution.id, args.after);
      return context.services.events.stream(execution.id, afterSequence);
    },
  })
  executionEvents(
    @Root() event: ExecutionEvent,
    @Arg('executionId', () => ID) _executionId: string,
    @Arg('after', () => String, { nullable: true }) _after?: string,
  ): ExecutionEvent {
    return event;
  }

  @Subscription(() => ExecutionType, {
    description: 'Status changes of the runs of one workflow, for dashboards.',
    subscribe: async ({ args, context }: SubscribeData<{ workflowId: string }>) => {
      const workflow = await context.services.workflows.get(requireUser(context), args.workflowId);
      return context.services.events.executionUpdates(workflow.id);
    },
  })
  executionUpdated(@Root() execution: Execution, @Arg('workflowId', () => ID) _workflowId: string): Execution {
    return execution;
  }
}
