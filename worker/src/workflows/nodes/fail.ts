import { StepError, type NodeExecutor } from '../step.js';

export const fail: NodeExecutor = {
  async execute({ render }) {
    const message = await render(['message']);
    throw new StepError(message, 'FailNode', message);
  },
};
