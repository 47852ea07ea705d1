import type { NodeExecutor } from '../step.js';

/** Every trigger outputs the run's input: startExecution's input, a webhook's request, a schedule's firing. */
export const trigger: NodeExecutor = {
  async execute({ scope }) {
    return { output: scope.input };
  },
  compute({ scope }) {
    return { output: scope.input };
  },
};
