// Workflows for the sandbox watchdog's tests: one that holds its workflow thread for `ms`
// milliseconds in one call into the sandbox, and one that waits until it is cancelled.
import { condition } from '@temporalio/workflow';

export async function block(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return `held ${ms} ms`;
}

export async function idle() {
  await condition(() => false);
}
