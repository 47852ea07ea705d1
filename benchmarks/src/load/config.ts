// The settings of `npm run test:load`, from its arguments (`-- --in-flight 5000`) and the environment.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface LoadTestConfig {
  /** An existing Tandem (TANDEM_URL or --url); unset: build and start one here. */
  url: string | undefined;
  inFlight: number;
  readers: number;
  subscribers: number;
  releasers: number;
  holdSeconds: number;
  /** API P95 threshold; 0 leaves latency unchecked. */
  p95Ms: number;
  /** Skip `npm run build` before starting Tandem (it is current). */
  skipBuild: boolean;
  /** Write the figures as JSON here. */
  output: string | undefined;
  /** `--cpu-prof` profiles of the Tandem started here (API process and worker child) go here (`--cpu-prof-dir`). */
  cpuProfileDir: string | undefined;
}

const USAGE = `usage: npm run test:load -- [--in-flight N] [--readers N] [--subscribers N] [--releasers N] [--hold-seconds S] [--p95-ms MS] [--url URL] [--skip-build] [--output FILE] [--cpu-prof-dir DIR]`;

export function readLoadTestConfig(argv: string[], env: NodeJS.ProcessEnv): LoadTestConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      'in-flight': { type: 'string' },
      readers: { type: 'string' },
      subscribers: { type: 'string' },
      releasers: { type: 'string' },
      'hold-seconds': { type: 'string' },
      'p95-ms': { type: 'string' },
      url: { type: 'string' },
      'skip-build': { type: 'boolean' },
      output: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
    },
    strict: true,
  });
  const count = (name: keyof typeof values, fallback: number, min: number): number => {
    const raw = values[name];
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}, not "${String(raw)}"\n${USAGE}`);
    return value;
  };
  const url = values.url ?? (env.TANDEM_URL?.trim() || undefined);
  if (url !== undefined && !/^https?:\/\/[^/]+\/?$/.test(url)) throw new Error(`the Tandem URL must be http(s)://host[:port], not "${url}"\n${USAGE}`);
  return {
    url: url?.replace(/\/$/, ''),
    inFlight: count('in-flight', 500, 1),
    readers: count('readers', 20, 0),
    subscribers: count('subscribers', 50, 0),
    releasers: count('releasers', 50, 1),
    holdSeconds: count('hold-seconds', 10, 1),
    p95Ms: count('p95-ms', 200, 0),
    skipBuild: values['skip-build'] ?? false,
    output: values.output,
    // Tandem runs from the repository's root: a relative directory is the caller's.
    cpuProfileDir: values['cpu-prof-dir'] === undefined ? undefined : resolve(values['cpu-prof-dir']),
  };
}
