import { spawn } from 'node:child_process';

/**
 * Runs a TypeScript file of this directory in a child Node process (with this process's tsx
 * flags), passing `input` as JSON in BENCH_CHILD_INPUT; resolves with the JSON of its last
 * stdout line. Load generators run apart so they do not share the server's event loop.
 */
export function runChild<T>(file: URL, input: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, file.pathname], {
      env: { ...process.env, BENCH_CHILD_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4_000)));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${file.pathname} exited with code ${code}: ${stderr.trim()}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
      } catch (error) {
        reject(new Error(`${file.pathname} printed no result: ${stdout.slice(-500)} ${stderr}`, { cause: error }));
      }
    });
  });
}

/** In a child started by runChild: its input. */
export function childInput<T>(): T {
  const raw = process.env.BENCH_CHILD_INPUT;
  if (!raw) throw new Error('BENCH_CHILD_INPUT is not set: this file is run by runChild()');
  return JSON.parse(raw) as T;
}

/** In a child started by runChild: hands back its result. */
export function childResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
