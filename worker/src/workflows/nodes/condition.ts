import type { JsonValue } from '@tandem/schema';
import type { NodeExecutor, StepResult } from '../step.js';
import { isTruthy } from './truthy.js';

export const condition: NodeExecutor = {
  async execute({ evaluate }) {
    return branch(await evaluate(['expression']));
  },
  compute({ evaluate }) {
    return branch(evaluate(['expression']));
  },
};

function branch(value: JsonValue): StepResult {
  const result = isTruthy(value);
  return { output: result, handles: [result ? 'true' : 'false'] };
}
