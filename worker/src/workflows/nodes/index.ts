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

/** How each node type runs, by type name. A plan with a type that has no executor fails the run at its start, naming the node. */
export const EXECUTORS: ReadonlyMap<string, NodeExecutor<never>> = new Map<string, NodeExecutor<never>>([
  ['trigger.manual', trigger as NodeExecutor<never>],
  ['trigger.webhook', trigger as NodeExecutor<never>],
  ['trigger.schedule', trigger as NodeExecutor<never>],
  ['transform', transform as NodeExecutor<never>],
  ['set', setVariables as NodeExecutor<never>],
  ['condition', condition as NodeExecutor<never>],
  ['switch', switchNode as NodeExecutor<never>],
  ['http.request', httpRequest as NodeExecutor<never>],
  ['delay', delay as NodeExecutor<never>],
  ['parallel', parallel as NodeExecutor<never>],
  ['join', join as NodeExecutor<never>],
  ['fail', fail as NodeExecutor<never>],
  ['output', output as NodeExecutor<never>],
  ['wait.signal', waitSignal as NodeExecutor<never>],
  ['loop', loop as NodeExecutor<never>],
  ['subworkflow', subworkflow as NodeExecutor<never>],
]);
