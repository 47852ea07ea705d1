import type { NodeExecutor } from '../step.js';
import { isTruthy } from './truthy.js';

export const condition: NodeExecutor = {
  async execute({ evaluate }) {
    const value = await evaluate(['expression']);
    const result = isTruthy(value);
    return { output: result, handles: [result ? 'true' : 'false'] };
  },
};
