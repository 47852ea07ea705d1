/** One line of `npm run health:check`: a part of Tandem and what its /readyz said of it. */
export interface HealthRow {
  name: string;
  ok: boolean;
  detail: string;
}

export interface HealthReport {
  url: string;
  ok: boolean;
  rows: HealthRow[];
}

/**
 * Asks a Tandem API server for /healthz (the process answers) and /readyz (each dependency
 * by name). Never throws: an unreachable server is a report with `ok: false`.
 */
export async function checkHealth(baseUrl: string, timeoutMs = 10_000): Promise<HealthReport> {
  const url = baseUrl.replace(/\/+$/, '');
  const rows: HealthRow[] = [];
  try {
    const live = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(timeoutMs) });
    rows.push({ name: 'process (/healthz)', ok: live.ok, detail: live.ok ? 'ok' : `HTTP ${live.status}` });
    const ready = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    const body = (await ready.json().catch(() => ({}))) as { checks?: Record<string, string> };
    for (const [name, detail] of Object.entries(body.checks ?? {})) rows.push({ name, ok: detail === 'ok', detail });
    if (!ready.ok && rows.every((row) => row.ok)) rows.push({ name: 'readiness (/readyz)', ok: false, detail: `HTTP ${ready.status}` });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    rows.push({ name: 'api server', ok: false, detail: `not reachable at ${url}: ${reason}` });
  }
  return { url, ok: rows.every((row) => row.ok), rows };
}

/** The report as an aligned table: part, status, detail. */
export function formatHealthTable(report: HealthReport): string {
  const width = Math.max(4, ...report.rows.map((row) => row.name.length));
  const lines = [`${'part'.padEnd(width)}  status  detail`, `${'-'.repeat(width)}  ------  ------`];
  for (const row of report.rows) lines.push(`${row.name.padEnd(width)}  ${(row.ok ? 'ok' : 'DOWN').padEnd(6)}  ${row.ok ? '' : row.detail}`.trimEnd());
  lines.push('', report.ok ? `Tandem at ${report.url} is ready.` : `Tandem at ${report.url} is NOT ready.`);
  return lines.join('\n');
}
