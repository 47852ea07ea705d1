import { spawn } from 'node:child_process';

/**
 * Runs one of PostgreSQL's client tools (pg_dump, pg_restore) against a database URL. The
 * password travels in PGPASSWORD, not on the command line where `ps` would show it.
 */
export function runPgTool(tool: 'pg_dump' | 'pg_restore', url: string, args: string[], onLine?: (line: string) => void): Promise<void> {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  const env = { ...process.env, ...(password ? { PGPASSWORD: password } : {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(tool, [...args, `--dbname=${parsed.toString()}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const tail: string[] = [];
    let partial = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 20) tail.shift();
        onLine?.(line);
      }
    });
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `${tool} was not found: install PostgreSQL's client tools (Debian: apt-get install postgresql-client), of the server's major version or newer`,
            )
          : error,
      ),
    );
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${tool} failed (exit ${code}):\n${[...tail, partial].filter(Boolean).join('\n')}`));
    });
  });
}
