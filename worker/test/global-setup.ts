import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startTemporal } from '@tandem/ops';
import { bundleInterpreterWorkflow } from '@tandem/worker';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

/** One real Temporal for the suite: TEMPORAL_ADDRESS when set, else a dev server in memory. One bundle, reused. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [temporal, bundle] = await Promise.all([startTemporal(process.env.TEMPORAL_ADDRESS), bundleInterpreterWorkflow()]);
  const dir = mkdtempSync(join(tmpdir(), 'tandem-test-'));
  const bundlePath = join(dir, 'workflow-bundle.js');
  writeFileSync(bundlePath, bundle.code);
  project.provide('temporalAddress', temporal.address);
  project.provide('workflowBundlePath', bundlePath);
  return async () => {
    await temporal.stop();
    rmSync(dir, { recursive: true, force: true });
  };
}
