/**
 * The Temporal workflow id of a run started with an execution id (by the API server, the CLI,
 * benchmarks and tests): `tandem-<execution id>`. Runs that Temporal or the interpreter start
 * without one are named otherwise, and their workflow id is their execution id: a Schedule's
 * runs are `tandem-s-<hash>-<time>` (server/src/services/schedules.ts), a sub-workflow's
 * child runs `tandem-<uuid>` (the interpreter).
 */
export function interpreterWorkflowId(executionId: string): string {
  return `tandem-${executionId}`;
}
