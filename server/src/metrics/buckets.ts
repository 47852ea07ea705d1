import { DurationSketch } from './sketch.js';

/** Bucket widths in seconds: minutes as events are counted, hours once a day old. */
export const MINUTE = 60;
export const HOUR = 3_600;

/** What one bucket row holds: a workflow's runs (nodeId '') or one node's steps, in one time bucket. */
export interface BucketFigures {
  workflowId: string;
  versionNumber: number;
  /** '' for the run as a whole. */
  nodeId: string;
  nodeType: string;
  /** Seconds. */
  resolution: number;
  /** Epoch milliseconds. */
  bucketStart: number;
  started: number;
  completed: number;
  failed: number;
  cancelled: number;
  retries: number;
  /** Run duration (completed and failed runs) or step duration, in milliseconds. */
  duration: DurationSketch;
  /** Runs only: from the start request to the first step starting, in milliseconds. */
  firstStep: DurationSketch;
}

export type BucketIdentity = Pick<BucketFigures, 'workflowId' | 'versionNumber' | 'nodeId' | 'nodeType' | 'resolution' | 'bucketStart'>;

export function bucketKey(b: Pick<BucketFigures, 'workflowId' | 'versionNumber' | 'nodeId' | 'resolution' | 'bucketStart'>): string {
  return `${b.workflowId}|${b.versionNumber}|${b.nodeId}|${b.resolution}|${b.bucketStart}`;
}

export function emptyFigures(identity: BucketIdentity): BucketFigures {
  return { ...identity, started: 0, completed: 0, failed: 0, cancelled: 0, retries: 0, duration: DurationSketch.empty(), firstStep: DurationSketch.empty() };
}

/** Adds `from` into `into` (counts add, sketches merge). */
export function addFigures(into: BucketFigures, from: Omit<BucketFigures, keyof BucketIdentity>): BucketFigures {
  into.started += from.started;
  into.completed += from.completed;
  into.failed += from.failed;
  into.cancelled += from.cancelled;
  into.retries += from.retries;
  into.duration.merge(from.duration);
  into.firstStep.merge(from.firstStep);
  return into;
}

export function bucketStartOf(at: number, resolution: number): number {
  return Math.floor(at / (resolution * 1000)) * resolution * 1000;
}

/** Bucket figures by key, created on first use. */
export class BucketSet {
  readonly byKey = new Map<string, BucketFigures>();

  at(identity: BucketIdentity): BucketFigures {
    const key = bucketKey(identity);
    let figures = this.byKey.get(key);
    if (!figures) this.byKey.set(key, (figures = emptyFigures(identity)));
    return figures;
  }

  get size(): number {
    return this.byKey.size;
  }

  values(): IterableIterator<BucketFigures> {
    return this.byKey.values();
  }
}
