import type { NodeTypeDefinition } from './types.js';
import { manualTrigger } from './trigger-manual.js';
import { webhookTrigger } from './trigger-webhook.js';
import { scheduleTrigger } from './trigger-schedule.js';
import { transform } from './transform.js';
import { setVariables } from './set.js';
import { condition } from './condition.js';
import { switchNode } from './switch.js';
import { httpRequest } from './http-request.js';
import { delay } from './delay.js';
import { waitSignal } from './wait-signal.js';
import { loop } from './loop.js';
import { parallel } from './parallel.js';
import { join } from './join.js';
import { subworkflow } from './subworkflow.js';
import { fail } from './fail.js';
import { output } from './output.js';

export * from './types.js';
export { isCronExpression } from './trigger-schedule.js';
export { HTTP_METHODS, retryPolicySchema, type RetryPolicyConfig } from './http-request.js';
export { DEFAULT_HANDLE } from './switch.js';

/**
 * The node catalogue, in palette order: the one list of node types. The worker's executors and
 * the client's palette and config forms derive from it (docs/development.md: how to add a node type).
 */
export const NODE_TYPES: ReadonlyArray<NodeTypeDefinition<never>> = [
  manualTrigger,
  webhookTrigger,
  scheduleTrigger,
  transform,
  setVariables,
  condition,
  switchNode,
  httpRequest,
  delay,
  waitSignal,
  loop,
  parallel,
  join,
  subworkflow,
  fail,
  output,
] as unknown as ReadonlyArray<NodeTypeDefinition<never>>;

const byType = new Map<string, NodeTypeDefinition<object>>(NODE_TYPES.map((t) => [t.type, t as unknown as NodeTypeDefinition<object>]));

export function getNodeType(type: string): NodeTypeDefinition<object> | undefined {
  return byType.get(type);
}

export const NODE_TYPE_NAMES: readonly string[] = NODE_TYPES.map((t) => t.type);

export {
  manualTrigger,
  webhookTrigger,
  scheduleTrigger,
  transform,
  setVariables,
  condition,
  switchNode,
  httpRequest,
  delay,
  waitSignal,
  loop,
  parallel,
  join,
  subworkflow,
  fail,
  output,
};
