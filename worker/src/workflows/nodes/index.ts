import * as schema from '@tandem/schema';
import type { NodeExecutor } from '../step.js';
import { trigger } from './trigger.js';
import { transform } from './transform.js';
import { setVariables } from './set.js';
import { condition } from './condition.js';
import { switchNode } from './switch.js';
import { httpRequest } from './http-request.js';
import { delay } from './delay.js';
import { parallel } from './parallel.js';
import { join } from './join.js';
import { fail } from './fail.js';
import { output } from './output.js';
import { waitSignal } from './wait-signal.js';
import { loop } from './loop.js';
import { subworkflow } from './subworkflow.js';

/**
 * Binds an executor to the node type definition it runs: keyed by the definition's own `type`,
 * and its config typed by the definition's schema.
 */
function runs<Config extends object>(definition: schema.NodeTypeDefinition<Config>, executor: NodeExecutor<NoInfer<Config>>): [string, NodeExecutor<never>] {
  return [definition.type, executor as NodeExecutor<never>];
}

/**
 * How each node type of the catalogue (`NODE_TYPES` in @tandem/schema) runs, by type name. A plan
 * with a type that has no executor fails the run at its start, naming the node.
 */
export const EXECUTORS: ReadonlyMap<string, NodeExecutor<never>> = new Map([
  runs(schema.manualTrigger, trigger),
  runs(schema.webhookTrigger, trigger),
  runs(schema.scheduleTrigger, trigger),
  runs(schema.transform, transform),
  runs(schema.setVariables, setVariables),
  runs(schema.condition, condition),
  runs(schema.switchNode, switchNode),
  runs(schema.httpRequest, httpRequest),
  runs(schema.delay, delay),
  runs(schema.parallel, parallel),
  runs(schema.join, join),
  runs(schema.fail, fail),
  runs(schema.output, output),
  runs(schema.waitSignal, waitSignal),
  runs(schema.loop, loop),
  runs(schema.subworkflow, subworkflow),
]);
