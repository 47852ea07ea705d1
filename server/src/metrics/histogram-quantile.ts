/** One histogram series as prom-client keeps it: cumulative counts per upper bound (`+Inf` last). */
export interface CumulativeBuckets {
  /** Upper bounds, ascending, the last one Infinity. */
  bounds: number[];
  /** Observations at or below each bound. */
  counts: number[];
}

/**
 * The q-quantile of a histogram the way Prometheus's histogram_quantile estimates it: linear
 * within the bucket the rank falls in (from 0 for the first); the highest finite bound when it
 * falls in the +Inf bucket. Null when nothing was observed. Accurate to the bucket's width only.
 */
export function histogramQuantile(q: number, { bounds, counts }: CumulativeBuckets): number | null {
  const total = counts[counts.length - 1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  const index = counts.findIndex((count) => count >= rank);
  const upper = bounds[index]!;
  if (!Number.isFinite(upper)) return bounds[bounds.length - 2] ?? null;
  const lower = index === 0 ? 0 : bounds[index - 1]!;
  const below = index === 0 ? 0 : counts[index - 1]!;
  const inBucket = counts[index]! - below;
  return inBucket === 0 ? upper : lower + (upper - lower) * ((rank - below) / inBucket);
}

/** Groups prom-client's `get()` values of a histogram into one series per label set (without `le`). */
export function bucketsByLabels(
  values: ReadonlyArray<{ labels: Record<string, string | number | undefined>; value: number; metricName?: string }>,
  name: string,
): Map<string, { labels: Record<string, string>; buckets: CumulativeBuckets; sum: number }> {
  const series = new Map<string, { labels: Record<string, string>; buckets: CumulativeBuckets; sum: number }>();
  for (const { labels, value, metricName } of values) {
    const { le, ...rest } = labels;
    const own = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, String(v)]));
    const key = JSON.stringify(own);
    const entry = series.get(key) ?? { labels: own, buckets: { bounds: [], counts: [] }, sum: 0 };
    series.set(key, entry);
    if (metricName === `${name}_bucket`) {
      entry.buckets.bounds.push(le === '+Inf' ? Infinity : Number(le));
      entry.buckets.counts.push(value);
    } else if (metricName === `${name}_sum`) {
      entry.sum = value;
    }
  }
  return series;
}
