import type { NodeExecutor } from '../step.js';

export const transform: NodeExecutor = {
  async execute({ evaluate }) {
    return { output: await evaluate(['expression']) };
  },
  compute({ evaluate }) {
    return { output: evaluate(['expression']) };
  },
};
