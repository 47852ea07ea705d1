import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { isEmptyDiff, type JsonValue } from '@tandem/schema';
import type { Workflow, WorkflowVersion } from '../../db/entities.js';
import { audit } from '../audit.js';
import type { ApiContext, SubscribeData } from '../context.js';
import { requireUser } from '../context.js';
import { toConnection } from '../connection.js';
import { ExecutionConnection, ExecutionFilter, ExecutionType } from '../types/execution.js';
import { Problem } from '../types/common.js';
import { WorkflowDiffType, WorkflowRevision } from '../types/diff.js';
import { UserType } from '../types/user.js';
import {
  CreateWorkflowInput,
  ScheduleType,
  WorkflowConnection,
  WorkflowFilter,
  WorkflowType,
  WorkflowVersionConnection,
  WorkflowVersionType,
} from '../types/workflow.js';
import { checkNodeId } from '../../services/schedules.js';
import type { VersionRunStats } from '../../services/workflows.js';
import { PREVIEW_RUNS, type DeployPreview, type RunPreview } from '../../services/deploy-preview.js';
import { DeployPreviewProgressType, DeployPreviewType } from '../types/deploy-preview.js';

@Resolver(() => WorkflowType)
export class WorkflowResolver {
  @Query(() => WorkflowType)
  async workflow(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Workflow> {
    return ctx.services.workflows.get(requireUser(ctx), id);
  }

  @Query(() => WorkflowConnection, { description: 'Your workflows, most recently changed first. first ≤ 100.' })
  async workflows(
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('filter', () => WorkflowFilter, { nullable: true }) filter?: WorkflowFilter,
  ): Promise<WorkflowConnection> {
    return toConnection(await ctx.services.workflows.list(requireUser(ctx), first, after, filter ?? {}), Boolean(after));
  }

  @Mutation(() => WorkflowType, { description: 'Creates a workflow from a tandem.workflow/v1 document; an invalid one is BAD_USER_INPUT with problems.' })
  async createWorkflow(@Arg('input', () => CreateWorkflowInput) input: CreateWorkflowInput, @Ctx() ctx: ApiContext): Promise<Workflow> {
    return ctx.services.workflows.create(requireUser(ctx), input);
  }

  @Mutation(() => WorkflowType, {
    description: 'Replaces the draft definition. An incomplete draft is stored (see Workflow.problems); a malformed document is BAD_USER_INPUT with problems.',
  })
  async updateWorkflowDefinition(
    @Arg('id', () => ID) id: string,
    @Arg('definition', () => GraphQLJSON) definition: JsonValue,
    @Ctx() ctx: ApiContext,
  ): Promise<Workflow> {
    return ctx.services.workflows.updateDefinition(requireUser(ctx), id, definition);
  }

  @Mutation(() => WorkflowType)
  async renameWorkflow(
    @Arg('id', () => ID) id: string,
    @Arg('name') name: string,
    @Ctx() ctx: ApiContext,
    @Arg('description', () => String, { nullable: true }) description?: string,
  ): Promise<Workflow> {
    return ctx.services.workflows.rename(requireUser(ctx), id, name, description);
  }

  @Mutation(() => WorkflowType, { description: 'Replaces the webhook secret; deliveries with the old one are refused from now on.' })
  async rotateWebhookSecret(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<Workflow> {
    return ctx.services.workflows.rotateWebhookSecret(requireUser(ctx), id);
  }

  @Mutation(() => Boolean, { description: 'Deletes the workflow with its versions and executions.' })
  async deleteWorkflow(@Arg('id', () => ID) id: string, @Ctx() ctx: ApiContext): Promise<boolean> {
    return ctx.services.workflows.delete(requireUser(ctx), id);
  }

  @Mutation(() => WorkflowVersionType, { description: 'Validates the draft and stores it as the next numbered, immutable version.' })
  async deployWorkflow(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: ApiContext,
    @Arg('message', () => String, { nullable: true }) message?: string,
  ): Promise<WorkflowVersionType> {
    return audited(ctx, await ctx.services.workflows.deploy(requireUser(ctx), id, message));
  }

  @Mutation(() => WorkflowVersionType, {
    description:
      'Deploys an earlier version again as the next version, with the message "Roll back to version <n>" (plus yours); schedules and webhooks follow it. The draft is unchanged.',
  })
  async rollbackWorkflow(
    @Arg('id', () => ID) id: string,
    @Arg('version', () => Int) version: number,
    @Ctx() ctx: ApiContext,
    @Arg('message', () => String, { nullable: true }) message?: string,
  ): Promise<WorkflowVersionType> {
    return audited(ctx, await ctx.services.workflows.rollback(requireUser(ctx), id, version, message), version);
  }

  @Mutation(() => WorkflowType, {
    description: "Makes the draft a deployed version's document again, as one change co-editors see live. Deployed versions are unchanged.",
  })
  async restoreWorkflowVersion(@Arg('id', () => ID) id: string, @Arg('version', () => Int) version: number, @Ctx() ctx: ApiContext): Promise<Workflow> {
    return ctx.services.workflows.restore(requireUser(ctx), id, version);
  }

  @Query(() => WorkflowDiffType, { description: 'What changed between two revisions of a workflow (deployed versions or the draft). Viewers may compare.' })
  async workflowDiff(
    @Arg('workflowId', () => ID) workflowId: string,
    @Arg('from', () => WorkflowRevision) from: WorkflowRevision,
    @Arg('to', () => WorkflowRevision) to: WorkflowRevision,
    @Ctx() ctx: ApiContext,
  ): Promise<WorkflowDiffType> {
    const fromVersion = from.version ?? null;
    const toVersion = to.version ?? null;
    const result = await ctx.services.workflows.diff(requireUser(ctx), workflowId, fromVersion, toVersion);
    const { metadata, params, nodes, edges } = result.diff;
    return {
      fromVersion,
      toVersion,
      identical: isEmptyDiff(result.diff),
      metadata,
      params,
      nodes: nodes as WorkflowDiffType['nodes'],
      edges,
      fromDefinition: result.from,
      toDefinition: result.to,
    };
  }

  @Query(() => DeployPreviewType, {
    description: `Dry-runs the draft on the recorded input of the live version's last \`runs\` (1 to ${PREVIEW_RUNS.max}) completed or failed runs, with no external effect: unchanged http.request, wait.signal and subworkflow nodes give their recorded outcome, changed ones are reported (notes) and what follows them is unknown. Editors only.`,
  })
  async previewDeploy(
    @Arg('workflowId', () => ID) workflowId: string,
    @Ctx() ctx: ApiContext,
    @Arg('runs', () => Int, { defaultValue: PREVIEW_RUNS.default }) runs: number,
  ): Promise<DeployPreviewType> {
    const preview = await ctx.services.workflows.previewDeploy(requireUser(ctx), workflowId, runs);
    const checked: RunPreview[] = [];
    for await (const run of preview.runs) checked.push(run);
    return { liveVersion: preview.liveVersion, changedNodes: preview.changedNodes, runs: checked };
  }

  @Subscription(() => DeployPreviewProgressType, {
    description:
      'previewDeploy step by step, for showing progress: first how many runs will be checked (run null), then each run as it is checked; completes after the last.',
    subscribe: async ({ args, context }: SubscribeData<{ workflowId: string; runs: number }>) =>
      progressOf(await context.services.workflows.previewDeploy(requireUser(context), args.workflowId, args.runs)),
  })
  previewDeployProgress(
    @Root() progress: DeployPreviewProgressType,
    @Arg('workflowId', () => ID) _workflowId: string,
    @Arg('runs', () => Int, { defaultValue: PREVIEW_RUNS.default }) _runs: number,
  ): DeployPreviewProgressType {
    return progress;
  }

  @Query(() => GraphQLJSON, { description: 'The tandem.workflow/v1 document of the draft, or of a version.' })
  async exportWorkflow(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: ApiContext,
    @Arg('version', () => Int, { nullable: true }) version?: number,
  ): Promise<JsonValue> {
    return ctx.services.workflows.export(requireUser(ctx), id, version);
  }

  @Mutation(() => WorkflowType, { description: 'Creates a workflow from an exported document.' })
  async importWorkflow(
    @Arg('document', () => GraphQLJSON) document: JsonValue,
    @Ctx() ctx: ApiContext,
    @Arg('name', () => String, { nullable: true }) name?: string,
  ): Promise<Workflow> {
    return ctx.services.workflows.import(requireUser(ctx), document, name);
  }

  @FieldResolver(() => WorkflowVersionConnection)
  async versions(
    @Root() workflow: Workflow,
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): Promise<WorkflowVersionConnection> {
    return toConnection(await ctx.services.workflows.versions(workflow, first, after), Boolean(after));
  }

  @FieldResolver(() => ExecutionConnection)
  async executions(
    @Root() workflow: Workflow,
    @Ctx() ctx: ApiContext,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
    @Arg('filter', () => ExecutionFilter, { nullable: true }) filter?: ExecutionFilter,
  ): Promise<ExecutionConnection> {
    const page = await ctx.services.executions.list(requireUser(ctx), first, after, { ...filter, workflowId: workflow.id });
    return toConnection(page, Boolean(after));
  }

  @FieldResolver(() => [ScheduleType], { description: 'Schedules of the latest deployed version’s schedule triggers.' })
  async schedules(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<ScheduleType[]> {
    return ctx.services.schedules.list(workflow.id, await ctx.services.workflows.latest(workflow));
  }

  @Mutation(() => [ScheduleType], { description: 'Pauses or resumes the schedule of a trigger.schedule node; returns the workflow’s schedules.' })
  async setSchedulePaused(
    @Arg('workflowId', () => ID) workflowId: string,
    @Arg('nodeId') nodeId: string,
    @Arg('paused') paused: boolean,
    @Ctx() ctx: ApiContext,
  ): Promise<ScheduleType[]> {
    const workflow = await ctx.services.workflows.get(requireUser(ctx), workflowId, 'EDITOR');
    const latest = await ctx.services.workflows.latest(workflow);
    await ctx.services.schedules.setPaused(workflow.id, latest, checkNodeId(nodeId), paused);
    return ctx.services.schedules.list(workflow.id, latest);
  }

  @FieldResolver(() => ExecutionType, { nullable: true, description: 'The most recently started run.' })
  async lastExecution(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<ExecutionType | null> {
    return ctx.services.executions.latestFor(workflow.id);
  }

  @FieldResolver(() => [Problem], { description: 'What a deploy of the draft would refuse now; empty when it can be deployed.' })
  async problems(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<Problem[]> {
    return (await ctx.services.workflows.draftProblems(workflow)).map((p) => ({ ...p, nodeId: p.nodeId ?? null, edgeId: p.edgeId ?? null }));
  }

  @FieldResolver(() => UserType)
  async owner(@Root() workflow: Workflow, @Ctx() ctx: ApiContext): Promise<UserType> {
    return (await ctx.services.workflows.usersById([workflow.ownerId])).get(workflow.ownerId)!;
  }
}

@Resolver(() => WorkflowVersionType)
export class WorkflowVersionResolver {
  @FieldResolver(() => UserType)
  async author(@Root() version: WorkflowVersionType, @Ctx() ctx: ApiContext): Promise<UserType> {
    return (await ctx.services.workflows.usersById([version.authorId])).get(version.authorId)!;
  }

  @FieldResolver(() => Int, { description: 'How many runs of this version were started.' })
  async runCount(@Root() version: WorkflowVersionType, @Ctx() ctx: ApiContext): Promise<number> {
    return (await runStatsOf(ctx, version)).runCount;
  }

  @FieldResolver(() => Int, { description: 'How many of its runs have finished (completed, failed, cancelled or timed out).' })
  async finishedRunCount(@Root() version: WorkflowVersionType, @Ctx() ctx: ApiContext): Promise<number> {
    return (await runStatsOf(ctx, version)).finishedRunCount;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Completed runs / finished runs, 0 to 1; null until a run has finished.' })
  async successRate(@Root() version: WorkflowVersionType, @Ctx() ctx: ApiContext): Promise<number | null> {
    return (await runStatsOf(ctx, version)).successRate;
  }
}

/** The stats of every version of a workflow, loaded once per operation however many versions and fields ask. */
const runStatsLoads = new WeakMap<ApiContext, Map<string, Promise<Map<number, VersionRunStats>>>>();
async function runStatsOf(ctx: ApiContext, version: WorkflowVersionType): Promise<VersionRunStats> {
  let loads = runStatsLoads.get(ctx);
  if (!loads) runStatsLoads.set(ctx, (loads = new Map()));
  let load = loads.get(version.workflowId);
  if (!load) loads.set(version.workflowId, (load = ctx.services.workflows.runStats(version.workflowId)));
  return (await load).get(version.number) ?? { runCount: 0, finishedRunCount: 0, successRate: null };
}

/** A preview's runs as progress: how many will be checked, then one step per run. */
async function* progressOf(preview: DeployPreview): AsyncGenerator<DeployPreviewProgressType> {
  const head = { liveVersion: preview.liveVersion, changedNodes: preview.changedNodes, total: preview.total };
  let checked = 0;
  yield { ...head, checked, run: null };
  for await (const run of preview.runs) yield { ...head, checked: ++checked, run };
}

/** Records a deploy (or a roll back to `rolledBackTo`) in the audit log; returns the version. */
async function audited(ctx: ApiContext, version: WorkflowVersion, rolledBackTo?: number): Promise<WorkflowVersion> {
  await audit(ctx, {
    action: 'WORKFLOW_DEPLOYED',
    targetType: 'WORKFLOW',
    targetId: version.workflowId,
    workflowId: version.workflowId,
    details: { version: version.number, versionId: version.id, ...(rolledBackTo !== undefined ? { rolledBackTo } : {}) },
  });
  return version;
}
