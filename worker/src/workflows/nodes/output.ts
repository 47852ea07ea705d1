import type { NodeExecutor } from '../step.js';

export const output: NodeExecutor = {
  async execute({ evaluate, setResult }) {
    const value = await evaluate(['expression']);
    setResult(value);
    return { output: value };
  },
  compute({ evaluate, setResult }) {
    const value = evaluate(['expression']);
    setResult(value);
    return { output: value };
  },
  // Its output is the run's result.
  reuse(value, { setResult }) {
    setResult(value);
  },
};
