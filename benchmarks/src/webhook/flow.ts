// The flow of issue 17, once as a Tandem workflow (webhook trigger that answers with the run's
// result) and once as plain code (handwritten-workflow.ts). Both must give EXPECTED_RESULT.

/** What the load generator POSTs. */
export const REQUEST_BODY = { a: 2, b: 3, name: 'bench' };

/** compute: a total and an upper-cased name; enrich: a greeting and a doubled total. */
export const EXPECTED_RESULT = { total: 5, name: 'BENCH', greeting: 'Hello, BENCH', double: 10 };

export const HOOK_PATH = 'bench';

export const WEBHOOK_WORKFLOW = {
  format: 'tandem.workflow/v1',
  name: 'Webhook bench',
  description: 'issue 17: compute, enrich, answer synchronously',
  nodes: [
    { id: 'hook', type: 'trigger.webhook', position: { x: 0, y: 0 }, config: { path: HOOK_PATH, respond: true } },
    {
      id: 'compute',
      type: 'transform',
      position: { x: 200, y: 0 },
      config: { expression: "{ 'total': input.body.a + input.body.b, 'name': $uppercase(input.body.name) }" },
    },
    {
      id: 'enrich',
      type: 'transform',
      position: { x: 400, y: 0 },
      config: { expression: "$merge([nodes.compute, { 'greeting': 'Hello, ' & nodes.compute.name, 'double': nodes.compute.total * 2 }])" },
    },
    { id: 'out', type: 'output', position: { x: 600, y: 0 }, config: { expression: 'nodes.enrich' } },
  ],
  edges: [
    { id: 'e1', source: 'hook', target: 'compute' },
    { id: 'e2', source: 'compute', target: 'enrich' },
    { id: 'e3', source: 'enrich', target: 'out' },
  ],
};

/** Runs held open: each waits for the signal `go`, then answers its payload. */
export const WAITING_WORKFLOW = {
  format: 'tandem.workflow/v1',
  name: 'Held runs',
  description: 'waits for a signal',
  nodes: [
    { id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} },
    { id: 'wait', type: 'wait.signal', position: { x: 200, y: 0 }, config: { signal: 'go' } },
    { id: 'out', type: 'output', position: { x: 400, y: 0 }, config: { expression: 'nodes.wait' } },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'wait' },
    { id: 'e2', source: 'wait', target: 'out' },
  ],
};

/** The answer both fronts give: `{ status: 'COMPLETED', result }`; null when it is right, else what is wrong. */
export function checkAnswer(status: number, text: string): string | null {
  if (status !== 200) return `HTTP ${status}: ${text.slice(0, 200)}`;
  let body: { status?: unknown; result?: Record<string, unknown> };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
  if (body.status !== 'COMPLETED') return `status ${String(body.status)}`;
  for (const [key, value] of Object.entries(EXPECTED_RESULT)) {
    if (body.result?.[key] !== value) return `wrong result: ${JSON.stringify(body.result).slice(0, 200)}`;
  }
  return null;
}
