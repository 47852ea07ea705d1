import type { NodeExecutor } from '../step.js';
import { passThrough } from './pass-through.js';

/** Every outgoing edge is followed; the scheduler runs the branches concurrently. */
export const parallel: NodeExecutor = {
  async execute({ inputs }) {
    return { output: passThrough(inputs) };
  },
};
