import { Arg, Ctx, ID, Int, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { MetricsOverview, MetricsUpdate, WorkflowMetrics } from '../../services/metrics.js';
import type { ApiContext } from '../context.js';
import { requireUser } from '../context.js';
import { MetricsOverviewType, MetricsUpdateType, WorkflowMetricsType } from '../types/metrics.js';

interface SubscribeData<A> {
  args: A;
  context: ApiContext;
}

@Resolver()
export class MetricsResolver {
  @Query(() => WorkflowMetricsType, {
    description:
      'Run and node figures of one workflow (VIEWER or more) from `from` to `to`, one point per `step` seconds (a whole number of minutes; at most 1440 points; by default about 120). `version` narrows to one deployed version.',
  })
  async workflowMetrics(
    @Arg('workflowId', () => ID) workflowId: string,
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Ctx() ctx: ApiContext,
    @Arg('step', () => Int, { nullable: true }) step?: number,
    @Arg('version', () => Int, { nullable: true }) version?: number,
  ): Promise<WorkflowMetrics> {
    return ctx.services.metrics.workflowMetrics(requireUser(ctx), workflowId, from, to, step, version);
  }

  @Query(() => MetricsOverviewType, { description: 'Figures across every workflow you can see; top lists have at most `limit` entries (1–50, default 5).' })
  async metricsOverview(
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Ctx() ctx: ApiContext,
    @Arg('step', () => Int, { nullable: true }) step?: number,
    @Arg('limit', () => Int, { nullable: true }) limit?: number,
  ): Promise<MetricsOverview> {
    return ctx.services.metrics.overview(requireUser(ctx), from, to, step, limit ?? 5);
  }

  @Subscription(() => MetricsUpdateType, {
    description: 'Tells when new figures were counted for a workflow you can see (or only `workflowId`), at most about once a second.',
    subscribe: async ({ args, context }: SubscribeData<{ workflowId?: string | null }>) => {
      const user = requireUser(context);
      // Checked before the stream opens, so a workflow you cannot see is an error at once.
      const only = args.workflowId ? (await context.services.access.require(user, args.workflowId, 'VIEWER')).workflow.id : undefined;
      return context.services.metrics.updates(user, only);
    },
  })
  metricsUpdated(@Root() update: MetricsUpdate, @Arg('workflowId', () => ID, { nullable: true }) _workflowId?: string): MetricsUpdate {
    return update;
  }
}
