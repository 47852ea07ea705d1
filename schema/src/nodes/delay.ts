import { z } from 'zod';
import { DAY_MS, durationMs } from './common.js';
import { defineNodeType } from './types.js';

export const delay = defineNodeType({
  type: 'delay',
  title: 'Delay',
  description: 'Waits on a durable timer; the run survives restarts while it waits.',
  category: 'flow',
  config: z.object({ durationMs: durationMs(366 * DAY_MS).describe('How long to wait') }).strict(),
});
