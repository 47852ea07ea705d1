import type { NodeExecutor } from '../step.js';

export const output: NodeExecutor = {
  async execute({ evaluate, setResult }) {
    const value = await evaluate(['expression']);
    setResult(value);
    return { output: value };
  },
};
