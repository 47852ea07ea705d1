import type { NodeExecutor } from '../step.js';

/** The scheduler starts a node only once all its incoming edges are decided, so this runs after every branch. */
export const join: NodeExecutor = {
  async execute({ inputs }) {
    return { output: inputs };
  },
  compute({ inputs }) {
    return { output: inputs };
  },
};
