import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Runs a TypeScript file of this directory in a child Node process (with this process's tsx
 * flags), passing `input` as JSON on its stdin (an environment variable is limited to
 * 128 KiB: too small for 5,000 run ids); resolves with the JSON of its last stdout line. Load generators run apart so they do not share the server's event loop.
 */
export function runChild<T>(file: URL, input: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, file.pathname], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    child.stdin.end(JSON.stringify(input));
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
  const raw = readFileSync(0, 'utf8');
  if (!raw.trim()) throw new Error('no input on stdin: this file is run by runChild()');
  return JSON.parse(raw) as T;
}

/**
 * In a child started by runChild: hands back its result and exits once it is written (a pipe
 * takes large output asynchronously: exiting right after `write` cuts it short).
 */
export function childResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
}
