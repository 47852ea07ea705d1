import type { ConfigOf, subworkflow as subworkflowType } from '@tandem/schema';
import type { NodeExecutor } from '../step.js';
import { passThrough } from './pass-through.js';

/** Runs another workflow's deployed version as a child run; the output is the child's result. */
export const subworkflow: NodeExecutor<ConfigOf<typeof subworkflowType>> = {
  async execute({ config, evaluate, inputs, runSubworkflow }) {
    const input = config.inputExpression === undefined ? passThrough(inputs) : await evaluate(['inputExpression']);
    return { output: await runSubworkflow(config.workflowId, config.version, input) };
  },
};
