// Workflow code: bundled by Temporal and run in its deterministic sandbox.
import { PlanRun } from './interpreter.js';
import type { InterpreterInput } from './types.js';
import type { JsonValue } from '@tandem/schema';

/** The one generic workflow: runs any compiled plan. */
export async function interpreterWorkflow(input: InterpreterInput): Promise<JsonValue> {
  return new PlanRun(input).run();
}
