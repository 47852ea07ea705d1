import { createHash } from 'node:crypto';
import { ScheduleNotFoundError, type Client } from '@temporalio/client';
import { compileWorkflow, scheduleTrigger } from '@tandem/schema';
import { INTERPRETER_WORKFLOW, type InterpreterInput } from '@tandem/worker';
import type { Workflow, WorkflowVersion } from '../db/entities.js';
import { badInput, notFound } from '../errors.js';
import type { Database } from '../db/orm.js';
import { resolveSubplans } from './subplans.js';

export interface ScheduleView {
  id: string;
  nodeId: string;
  cron: string;
  timezone: string;
  paused: boolean;
  nextRunAt: Date | null;
}

interface ScheduleNode {
  id: string;
  type: string;
  config?: { cron?: string; timezone?: string };
}

/**
 * Each `trigger.schedule` node of a workflow's latest deployed version is one Temporal Schedule
 * (id derived from workflow and node), created or updated on deploy and removed when the node is.
 */
export class ScheduleService {
  constructor(
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly db: Database,
  ) {}

  scheduleId(workflowId: string, nodeId: string): string {
    return `tandem-${workflowId}-${nodeId}`;
  }

  /** Makes Temporal's schedules match the version just deployed (exactly one per schedule node). */
  async sync(workflow: Workflow, version: WorkflowVersion, previous: WorkflowVersion | null): Promise<void> {
    const wanted = scheduleNodes(version);
    const compiled = compileWorkflow(version.definition);
    if (!compiled.ok) return;
    const subplans = wanted.length > 0 ? await resolveSubplans(this.db, workflow.ownerId, workflow.id, compiled.plan) : {};
    for (const node of wanted) {
      const args: InterpreterInput = {
        executionId: '',
        plan: compiled.plan,
        input: {},
        triggerNodeId: node.id,
        origin: { workflowId: workflow.id, versionId: version.id, versionNumber: version.number, startedById: workflow.ownerId },
        ...(Object.keys(subplans).length > 0 ? { subplans } : {}),
        // Every run of the schedule has these arguments: without a nonce, each run uses its own first run id.
        ownerId: workflow.ownerId,
      };
      const spec = { cronExpressions: [node.config?.cron ?? ''], timezone: node.config?.timezone ?? 'UTC' };
      // Runs are named tandem-s-<hash>-<time>: short enough to be execution ids.
      const workflowIdBase = `tandem-s-${createHash('sha256').update(`${workflow.id}:${node.id}`).digest('hex').slice(0, 16)}`;
      const action = {
        type: 'startWorkflow' as const,
        workflowType: INTERPRETER_WORKFLOW,
        taskQueue: this.taskQueue,
        workflowId: workflowIdBase,
        args: [args],
      };
      const handle = this.temporal.schedule.getHandle(this.scheduleId(workflow.id, node.id));
      try {
        await handle.update((current) => ({ ...current, spec, action }));
      } catch (error) {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
        await this.temporal.schedule.create({ scheduleId: this.scheduleId(workflow.id, node.id), spec, action });
      }
    }
    const kept = new Set(wanted.map((n) => n.id));
    for (const node of previous ? scheduleNodes(previous) : []) {
      if (!kept.has(node.id)) await this.remove(workflow.id, node.id);
    }
  }

  async removeAll(workflowId: string, version: WorkflowVersion | null): Promise<void> {
    for (const node of version ? scheduleNodes(version) : []) await this.remove(workflowId, node.id);
  }

  async list(workflowId: string, version: WorkflowVersion | null): Promise<ScheduleView[]> {
    const views: ScheduleView[] = [];
    for (const node of version ? scheduleNodes(version) : []) {
      try {
        const description = await this.temporal.schedule.getHandle(this.scheduleId(workflowId, node.id)).describe();
        views.push({
          id: description.scheduleId,
          nodeId: node.id,
          cron: node.config?.cron ?? '',
          timezone: node.config?.timezone ?? 'UTC',
          paused: description.state.paused,
          nextRunAt: description.info.nextActionTimes[0] ?? null,
        });
      } catch (error) {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      }
    }
    return views;
  }

  async setPaused(workflowId: string, version: WorkflowVersion | null, nodeId: string, paused: boolean): Promise<void> {
    if (!version || !scheduleNodes(version).some((n) => n.id === nodeId)) throw notFound('schedule', `${workflowId}/${nodeId}`);
    const handle = this.temporal.schedule.getHandle(this.scheduleId(workflowId, nodeId));
    if (paused) await handle.pause('paused through the Tandem API');
    else await handle.unpause('resumed through the Tandem API');
  }

  private async remove(workflowId: string, nodeId: string): Promise<void> {
    try {
      await this.temporal.schedule.getHandle(this.scheduleId(workflowId, nodeId)).delete();
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
  }
}

function scheduleNodes(version: WorkflowVersion): ScheduleNode[] {
  const nodes = (version.definition as { nodes?: ScheduleNode[] }).nodes ?? [];
  return nodes.filter((n) => n.type === scheduleTrigger.type);
}

export function checkNodeId(nodeId: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,99}$/.test(nodeId)) throw badInput('nodeId is not a node id');
  return nodeId;
}
