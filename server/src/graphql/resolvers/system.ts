import { Ctx, Query, Resolver } from 'type-graphql';
import type { SystemFigures } from '../../metrics/system-figures.js';
import { requireUser, type ApiContext } from '../context.js';
import { SystemMetricsType } from '../types/system.js';

@Resolver()
export class SystemResolver {
  @Query(() => SystemMetricsType, {
    description:
      "This API server's system figures since it started (GraphQL latency and errors by operation, task-queue backlog and pollers, event lag, websocket connections). For the installation's owner only (the account that signed up first): FORBIDDEN for anyone else.",
  })
  async systemMetrics(@Ctx() ctx: ApiContext): Promise<SystemFigures> {
    return ctx.services.system.figures(requireUser(ctx));
  }
}
