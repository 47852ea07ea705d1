// What collecting metrics costs the worker (docs/performance.md, "The cost of metrics"): the
// transform chain on a worker whose Prometheus figures are scraped, against one without, in
// the same run, the order alternating each round.
import type { Registry } from 'prom-client';
import { compareVariants, repeatUntilStopped, type ComparisonOptions, type Variant, type VariantResult } from './runner.js';

export interface WorkerMetricsCost {
  on: VariantResult;
  off: VariantResult;
  scrapes: number;
  /** Metrics on over metrics off. */
  ratios: { throughput: number; p95: number };
}

/** `on` runs on a worker whose registry is scraped every `scrapeEveryMs` while its runs are measured; `off` on one without a registry. */
export async function measureWorkerMetricsCost(
  on: Variant,
  off: Variant,
  registry: Registry,
  scrapeEveryMs: number,
  options: ComparisonOptions,
): Promise<WorkerMetricsCost> {
  let scrapes = 0;
  const scraped: Variant = {
    name: 'interpreter, metrics on',
    run: (index) => on.run(index),
    alongside: () =>
      repeatUntilStopped(async () => {
        await registry.metrics();
        scrapes++;
      }, scrapeEveryMs),
  };
  const plain: Variant = { name: 'interpreter, metrics off', run: (index) => off.run(index) };
  const [withMetrics, without] = await compareVariants([scraped, plain], options);
  return {
    on: withMetrics!,
    off: without!,
    scrapes,
    ratios: { throughput: withMetrics!.throughput / without!.throughput, p95: withMetrics!.latency.p95 / without!.latency.p95 },
  };
}
