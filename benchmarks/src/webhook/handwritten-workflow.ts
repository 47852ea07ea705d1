// Workflow code of the hand-written baseline: the flow of flow.ts in plain TypeScript,
// bundled on its own and run in Temporal's sandbox by handwritten-main.ts.
import { condition, defineSignal, setHandler } from '@temporalio/workflow';

export interface FlowInput {
  a: number;
  b: number;
  name: string;
}

export interface FlowResult {
  total: number;
  name: string;
  greeting: string;
  double: number;
}

/** compute, enrich, answer: the three steps of the Tandem workflow. */
export async function webhookFlow(input: FlowInput): Promise<FlowResult> {
  const compute = { total: input.a + input.b, name: input.name.toUpperCase() };
  const enrich = { ...compute, greeting: `Hello, ${compute.name}`, double: compute.total * 2 };
  return enrich;
}

export const goSignal = defineSignal<[unknown]>('go');

/** Waits for the signal `go` and answers its payload (the bare counterpart of the held runs). */
export async function waitForGo(): Promise<unknown> {
  let payload: unknown;
  let received = false;
  setHandler(goSignal, (value) => {
    payload = value;
    received = true;
  });
  await condition(() => received);
  return payload;
}
