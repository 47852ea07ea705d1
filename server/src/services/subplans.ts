import { compileWorkflow, subworkflow, type ExecutionPlan } from '@tandem/schema';
import { subplanKey, type SubPlan } from '@tandem/worker';
import type { Database } from '../db/orm.js';
import { Workflow, WorkflowVersion } from '../db/entities.js';
import { badInput } from '../errors.js';

const MAX_SUBPLANS = 25;

/**
 * Resolves, when a run starts, every workflow version its subworkflow nodes (and theirs) run, so
 * the worker needs no database. Targets must belong to the same owner and be deployed; a cycle
 * (A runs B runs A) is refused, naming the path.
 */
export async function resolveSubplans(db: Database, ownerId: string, rootWorkflowId: string, plan: ExecutionPlan): Promise<Record<string, SubPlan>> {
  const subplans: Record<string, SubPlan> = {};
  // Forked at the first sub-workflow node: most runs have none.
  let em: ReturnType<Database['em']['fork']> | undefined;
  const visit = async (current: ExecutionPlan, path: string[]): Promise<void> => {
    for (const node of current.nodes) {
      if (node.type !== subworkflow.type) continue;
      const workflowId = String(node.config.workflowId);
      const version = node.config.version as number | 'latest';
      if (path.includes(workflowId)) {
        throw badInput(`node "${node.id}": sub-workflows form a cycle (${[...path, workflowId].join(' → ')})`, {
          problems: [{ path: 'nodes', nodeId: node.id, edgeId: null, code: 'invalid_config', message: 'sub-workflow cycle' }],
        });
      }
      const key = subplanKey(workflowId, version);
      if (subplans[key]) continue;
      if (Object.keys(subplans).length >= MAX_SUBPLANS) throw badInput(`a run may use at most ${MAX_SUBPLANS} different sub-workflows`);
      em ??= db.em.fork();
      const target = await em.findOne(Workflow, { id: workflowId, ownerId });
      const number = version === 'latest' ? target?.latestVersion : version;
      const row = target && number ? await em.findOne(WorkflowVersion, { workflowId, number }) : null;
      if (!row) {
        throw badInput(`node "${node.id}": workflow "${workflowId}" has no deployed version ${version === 'latest' ? '' : `${version} `}you can run`, {
          problems: [{ path: 'nodes', nodeId: node.id, edgeId: null, code: 'invalid_config', message: 'sub-workflow not found or not deployed' }],
        });
      }
      const compiled = compileWorkflow(row.definition);
      if (!compiled.ok) throw badInput(`node "${node.id}": workflow "${workflowId}" version ${row.number} is invalid`);
      subplans[key] = { plan: compiled.plan, origin: { workflowId, versionId: row.id, versionNumber: row.number, startedById: ownerId } };
      await visit(compiled.plan, [...path, workflowId]);
    }
  };
  await visit(plan, [rootWorkflowId]);
  return subplans;
}
