import type { ConfigOf, delay as delayType } from '@tandem/schema';
import type { NodeExecutor } from '../step.js';
import { passThrough } from './pass-through.js';

export const delay: NodeExecutor<ConfigOf<typeof delayType>> = {
  async execute({ config, inputs, sleep }) {
    if (config.durationMs > 0) await sleep(config.durationMs);
    return { output: passThrough(inputs) };
  },
};
