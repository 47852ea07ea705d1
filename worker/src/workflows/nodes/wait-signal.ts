import type { ConfigOf, waitSignal as waitSignalType } from '@tandem/schema';
import { StepError, type NodeExecutor } from '../step.js';

export const waitSignal: NodeExecutor<ConfigOf<typeof waitSignalType>> = {
  async execute({ config, waitForSignal }) {
    const outcome = await waitForSignal(config.signal, config.timeoutMs);
    const branching = config.onTimeout === 'branch';
    if (!outcome.timedOut) return { output: outcome.payload, ...(branching ? { handles: ['received'] } : {}) };
    if (branching) return { output: null, handles: ['timeout'] };
    throw new StepError(`no "${config.signal}" signal within ${config.timeoutMs} ms`, 'SignalTimeout');
  },
};
