/**
 * A mergeable quantile sketch for durations (DDSketch, Masson et al. 2019): each value lands in
 * the bin `ceil(log_γ(value))`, γ = (1 + α) / (1 − α), so any quantile read back is within a
 * relative error α of the true value. Two sketches merge by adding their bins, which is what
 * lets minute buckets roll up into hours and any time range be summarised exactly as if its
 * values had been sketched together.
 */

/** The relative accuracy every percentile Tandem reports is within. */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Durations below this (ms) share one bin: nothing Tandem measures is finer. */
const MIN_VALUE = 0.1;

/** Stored form: bin index → count, plus the exact count, sum, min and max. */
export interface SketchData {
  n: number;
  sum: number;
  min: number;
  max: number;
  bins: Record<string, number>;
}

export class DurationSketch {
  private constructor(private readonly data: SketchData) {}

  static empty(): DurationSketch {
    return new DurationSketch({ n: 0, sum: 0, min: Number.POSITIVE_INFINITY, max: 0, bins: {} });
  }

  /** Reads the stored JSON; anything malformed counts as empty rather than poisoning a whole series. */
  static parse(text: string | null | undefined): DurationSketch {
    const sketch = DurationSketch.empty();
    if (!text) return sketch;
    try {
      const data = JSON.parse(text) as Partial<SketchData>;
      if (typeof data.n !== 'number' || typeof data.bins !== 'object' || data.bins === null) return sketch;
      sketch.merge(
        new DurationSketch({ n: data.n, sum: Number(data.sum) || 0, min: Number(data.min ?? Infinity), max: Number(data.max) || 0, bins: data.bins }),
      );
    } catch {
      // ignored: see above
    }
    return sketch;
  }

  get count(): number {
    return this.data.n;
  }

  get sum(): number {
    return this.data.sum;
  }

  add(value: number, times = 1): this {
    if (!Number.isFinite(value) || value < 0 || times <= 0) return this;
    const bin = String(binOf(value));
    this.data.bins[bin] = (this.data.bins[bin] ?? 0) + times;
    this.data.n += times;
    this.data.sum += value * times;
    this.data.min = Math.min(this.data.min, value);
    this.data.max = Math.max(this.data.max, value);
    return this;
  }

  merge(other: DurationSketch): this {
    for (const [bin, count] of Object.entries(other.data.bins)) this.data.bins[bin] = (this.data.bins[bin] ?? 0) + count;
    this.data.n += other.data.n;
    this.data.sum += other.data.sum;
    this.data.min = Math.min(this.data.min, other.data.min);
    this.data.max = Math.max(this.data.max, other.data.max);
    return this;
  }

  /** The q-quantile (0 ≤ q ≤ 1), within SKETCH_RELATIVE_ACCURACY of a value at that rank; null when empty. */
  quantile(q: number): number | null {
    if (this.data.n === 0) return null;
    // The rank of the nearest-rank definition: the smallest value with at least q·n values at or below it.
    const rank = Math.max(1, Math.ceil(q * this.data.n));
    const bins = Object.entries(this.data.bins)
      .map(([bin, count]) => [Number(bin), count] as const)
      .sort((a, b) => a[0] - b[0]);
    let seen = 0;
    for (const [bin, count] of bins) {
      seen += count;
      if (seen >= rank) return clamp(valueOf(bin), this.data.min, this.data.max);
    }
    return this.data.max;
  }

  toJSON(): SketchData {
    return this.data;
  }

  serialize(): string {
    return JSON.stringify(this.data);
  }
}

function binOf(value: number): number {
  return value <= MIN_VALUE ? 0 : Math.ceil(Math.log(value / MIN_VALUE) / LOG_GAMMA);
}

/** The value a bin stands for: the middle of (γ^(i−1), γ^i], in relative terms. */
function valueOf(bin: number): number {
  return bin === 0 ? MIN_VALUE : (MIN_VALUE * 2 * Math.pow(GAMMA, bin)) / (GAMMA + 1);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}
