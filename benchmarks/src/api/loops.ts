import { summarize, type Summary } from '../stats.js';

/** What a read phase measured: requests started in the measured window, and their latency. */
export interface LoadFigures {
  /** Successful requests measured. */
  requests: number;
  /** Requests that failed (transport error, HTTP status, GraphQL errors, wrong data) in the measured window. */
  failed: number;
  /** Length of the measured window, seconds. */
  seconds: number;
  /** Measured requests per second. */
  throughput: number;
  /** Per request, ms. */
  latency: Summary;
  /** The first few failure messages. */
  errors: string[];
  /**
   * Average CPU use over the whole phase (warm-up included), percent of one core: this process
   * (API server, worker, and the baseline's callers) and the load generator's process.
   */
  cpu?: { process: number; generator: number };
}

export interface LoopOptions {
  clients: number;
  warmupSeconds: number;
  seconds: number;
}

/**
 * `clients` loops, each calling `once` again as soon as the previous call settled, for a
 * warm-up window and then a measured one. Calls started in the measured window count.
 * Every loop first makes one call and waits for the others' (over HTTP: every client has its
 * connection before the load starts; see benchmarks/k6/reads.js).
 */
export async function timedLoops(options: LoopOptions, once: () => Promise<void>): Promise<LoadFigures> {
  await Promise.all(Array.from({ length: options.clients }, () => once()));
  const latencies: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  const measureFrom = performance.now() + options.warmupSeconds * 1_000;
  const end = measureFrom + options.seconds * 1_000;
  const loop = async () => {
    for (let startedAt = performance.now(); startedAt < end; startedAt = performance.now()) {
      const measured = startedAt >= measureFrom;
      try {
        await once();
        if (measured) latencies.push(performance.now() - startedAt);
      } catch (error) {
        if (!measured) continue;
        failed++;
        if (errors.length < 5) errors.push((error as Error).message);
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, loop));
  return {
    requests: latencies.length,
    failed,
    seconds: options.seconds,
    throughput: latencies.length / options.seconds,
    latency: summarize(latencies),
    errors,
  };
}

/** The checks every load generator applies to a read's response body. */
export function checkReadBody(body: unknown, field: string): void {
  const response = body as { data?: Record<string, unknown> | null; errors?: Array<{ message: string }> };
  if (response.errors?.length) throw new Error(`GraphQL errors: ${response.errors.map((e) => e.message).join('; ')}`);
  if (!response.data || response.data[field] === null || response.data[field] === undefined) throw new Error(`no data.${field} in the response`);
}
