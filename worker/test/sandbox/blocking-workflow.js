// A workflow that holds its workflow thread for `ms` milliseconds in one call into the sandbox.
export async function block(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
  return `held ${ms} ms`;
}
