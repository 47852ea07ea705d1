import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './config.js';

/** One line of `npm run dashboards`: a dashboard, its URL, and whether the service behind it answers. */
export interface DashboardLink {
  name: string;
  /** The setting that gives the service's base URL. */
  setting: string;
  /** The service's base URL; undefined when the setting is not set. */
  base: string | undefined;
  /** The dashboard's URL. */
  url: string | undefined;
  ok: boolean;
  detail: string;
}

export interface DashboardReport {
  links: DashboardLink[];
  /** Tandem answers (the other services are optional). */
  tandemOk: boolean;
  /** Tandem and every configured service answer. */
  ok: boolean;
}

export interface DashboardSettings {
  tandemUrl: string;
  grafanaUrl?: string | undefined;
  prometheusUrl?: string | undefined;
  alertmanagerUrl?: string | undefined;
}

/** The settings from the environment (or the command line's URL): TANDEM_URL (else http://127.0.0.1:$PORT), GRAFANA_URL, PROMETHEUS_URL, ALERTMANAGER_URL. */
export function dashboardSettings(env: NodeJS.ProcessEnv, argument?: string): DashboardSettings {
  return {
    tandemUrl: argument || env.TANDEM_URL || `http://127.0.0.1:${env.PORT || 4000}`,
    grafanaUrl: env.GRAFANA_URL || undefined,
    prometheusUrl: env.PROMETHEUS_URL || undefined,
    alertmanagerUrl: env.ALERTMANAGER_URL || undefined,
  };
}

/** The provisioned Grafana dashboard's uid (ops/grafana/dashboards/tandem.json), for its URL /d/<uid>. */
export function grafanaDashboardUid(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'ops/grafana/dashboards/tandem.json'), 'utf8')) as { uid: string }).uid;
}

/**
 * The dashboards of a running deployment: Tandem's own Dashboard page, Grafana's Tandem
 * dashboard, Prometheus's alerts and Alertmanager, each checked on the service's health
 * endpoint. Never throws: a service that does not answer is a link with `ok: false`.
 */
export async function findDashboards(settings: DashboardSettings, timeoutMs = 5_000): Promise<DashboardReport> {
  const base = (url: string | undefined) => url?.replace(/\/+$/, '');
  const services = [
    { name: 'Tandem dashboard', setting: 'TANDEM_URL', base: base(settings.tandemUrl), health: '/healthz', page: '/dashboard' },
    { name: 'Grafana', setting: 'GRAFANA_URL', base: base(settings.grafanaUrl), health: '/api/health', page: `/d/${grafanaDashboardUid()}/tandem` },
    // Prometheus's own build serves its UI at /alerts; Debian's (no React UI) at /classic/alerts.
    { name: 'Prometheus alerts', setting: 'PROMETHEUS_URL', base: base(settings.prometheusUrl), health: '/-/ready', page: ['/alerts', '/classic/alerts'] },
    { name: 'Alertmanager', setting: 'ALERTMANAGER_URL', base: base(settings.alertmanagerUrl), health: '/-/ready', page: '/#/alerts' },
  ];
  const links = await Promise.all(
    services.map(async ({ name, setting, base, health, page }): Promise<DashboardLink> => {
      if (!base) return { name, setting, base, url: undefined, ok: true, detail: `not configured (set ${setting})` };
      const reached = await answers(`${base}${health}`, timeoutMs);
      return { name, setting, base, url: `${base}${reached.ok ? await firstPage(base, page, timeoutMs) : [page].flat()[0]}`, ...reached };
    }),
  );
  const tandemOk = links[0]!.ok;
  return { links, tandemOk, ok: links.every((link) => link.ok) };
}

/** Of a page's alternatives (a UI moved between versions), the first that answers; one alternative is taken as is. */
async function firstPage(base: string, page: string | string[], timeoutMs: number): Promise<string> {
  const pages = [page].flat();
  for (const candidate of pages.length > 1 ? pages : []) if ((await answers(`${base}${candidate}`, timeoutMs)).ok) return candidate;
  return pages[0]!;
}

async function answers(url: string, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok ? { ok: true, detail: 'ok' } : { ok: false, detail: `${url} answered HTTP ${response.status}` };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { ok: false, detail: `no answer from ${url} (${cause?.code ?? cause?.message ?? (error as Error).message})` };
  }
}

/** The report as lines: name, URL, and what is wrong where something is. */
export function formatDashboards(report: DashboardReport): string {
  const width = Math.max(...report.links.map((link) => link.name.length));
  return report.links
    .map((link) => `${link.name.padEnd(width)}  ${link.url ? `${link.url}${link.ok ? '' : `  NOT ANSWERING: ${link.detail}`}` : link.detail}`.trimEnd())
    .join('\n');
}

/** Why the command fails, if it does: Tandem first, then any configured service. */
export function dashboardsProblem(report: DashboardReport): string | undefined {
  if (!report.tandemOk) {
    return `Tandem does not answer at ${report.links[0]!.base}: is it running? Pass its URL (npm run dashboards -- <url>) or set TANDEM_URL.`;
  }
  const down = report.links.filter((link) => !link.ok).map((link) => link.name);
  return down.length > 0 ? `Configured but not answering: ${down.join(', ')}.` : undefined;
}
