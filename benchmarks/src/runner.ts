import { summarize, type Summary } from './stats.js';

/** One way of running a scenario: `run(i)` starts run number `i` and resolves when its result is back and checked. */
export interface Variant {
  name: string;
  run(index: number): Promise<void>;
  /** Started before each batch of this variant's runs; what it returns is awaited after the batch (e.g. a metrics scraper). */
  alongside?(): () => Promise<void>;
}

export interface LoadOptions {
  runs: number;
  /** Runs kept in flight: a new one starts as soon as one finishes. */
  concurrency: number;
  /** First run index (so run ids stay distinct across warm-up and rounds). */
  firstIndex?: number;
}

export interface LoadResult {
  runs: number;
  wallMs: number;
  /** Per run, start request to result, in ms. */
  latencies: number[];
}

/** Runs `options.runs` runs of `variant` with a fixed number in flight; the first failure stops the load and is thrown. */
export async function runLoad(variant: Variant, options: LoadOptions): Promise<LoadResult> {
  const stopAlongside = variant.alongside?.();
  try {
    return await runBatch(variant, options);
  } finally {
    await stopAlongside?.();
  }
}

async function runBatch(variant: Variant, options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const first = options.firstIndex ?? 0;
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async () => {
    while (next < options.runs && !failure) {
      const index = first + next++;
      const startedAt = performance.now();
      try {
        await variant.run(index);
      } catch (error) {
        failure ??= { error };
        return;
      }
      latencies.push(performance.now() - startedAt);
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.runs) }, lane));
  const wallMs = performance.now() - startedAt;
  if (failure) throw new Error(`${variant.name}: a run failed`, { cause: failure.error });
  return { runs: latencies.length, wallMs, latencies };
}

export interface VariantResult {
  name: string;
  runs: number;
  wallMs: number;
  /** Runs per second over the measured rounds. */
  throughput: number;
  latency: Summary;
}

export interface ComparisonOptions {
  runs: number;
  warmup: number;
  concurrency: number;
  /** The measured runs are split into rounds; the variants' order alternates from round to round. */
  rounds: number;
}

/** The order of `sides` in round `round`: as given in even rounds, reversed in odd ones, so that no side always runs first. */
export function orderOfRound<T>(sides: readonly T[], round: number): readonly T[] {
  return round % 2 === 0 ? sides : [...sides].reverse();
}

/**
 * Warms both variants up, then measures them one after another, alternating which goes first
 * each round so that neither always meets a warmer (or fuller) server.
 */
export async function compareVariants(variants: readonly Variant[], options: ComparisonOptions): Promise<VariantResult[]> {
  let index = 0;
  for (const variant of variants) {
    await runLoad(variant, { runs: options.warmup, concurrency: options.concurrency, firstIndex: index });
    index += options.warmup;
  }
  const loads = new Map<Variant, LoadResult[]>(variants.map((v) => [v, []]));
  const perRound = Math.max(1, Math.ceil(options.runs / options.rounds));
  for (let round = 0; round < options.rounds; round++) {
    for (const variant of orderOfRound(variants, round)) {
      loads.get(variant)!.push(await runLoad(variant, { runs: perRound, concurrency: options.concurrency, firstIndex: index }));
      index += perRound;
    }
  }
  return variants.map((variant) => {
    const results = loads.get(variant)!;
    const runs = results.reduce((sum, r) => sum + r.runs, 0);
    const wallMs = results.reduce((sum, r) => sum + r.wallMs, 0);
    return { name: variant.name, runs, wallMs, throughput: runs / (wallMs / 1_000), latency: summarize(results.flatMap((r) => r.latencies)) };
  });
}

/** Calls `work` now and then every `everyMs` after it settled, until the returned function is called (which waits for the call in flight). */
export function repeatUntilStopped(work: () => Promise<unknown>, everyMs: number): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) {
      await work();
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
