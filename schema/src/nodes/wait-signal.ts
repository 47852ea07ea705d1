import { z } from 'zod';
import { DAY_MS, durationMs } from './common.js';
import { defineNodeType } from './types.js';

export const waitSignal = defineNodeType({
  type: 'wait.signal',
  title: 'Wait for signal',
  description: "The run is WAITING until the named signal arrives; the output is the signal's payload.",
  category: 'flow',
  config: z
    .object({
      signal: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'signal must be a name'),
      timeoutMs: durationMs(366 * DAY_MS).optional(),
      onTimeout: z.enum(['fail', 'branch']).default('fail').describe('"branch" follows the "timeout" handle instead of failing'),
    })
    .strict(),
  handles: (config) => (config.onTimeout === 'branch' ? ['received', 'timeout'] : []),
  fieldKind: () => 'literal',
});
