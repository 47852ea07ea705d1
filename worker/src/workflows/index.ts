// Workflow code: bundled by Temporal and run in its deterministic sandbox.
import { PlanRun } from './interpreter.js';
import type { InterpreterInput } from './types.js';
import type { JsonValue } from '@tandem/schema';

/**
 * The one generic workflow: runs any compiled plan. Not itself async: `PlanRun.run` keeps the
 * promises of runs started before its scope-on-demand patch as this function's own used to be.
 */
export function interpreterWorkflow(input: InterpreterInput): Promise<JsonValue> {
  return new PlanRun(input).run();
}
