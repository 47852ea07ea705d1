import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Registry } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify, parse } from 'yaml';
import { ServerMetrics } from '@tandem/server';
import { workerMetrics } from '@tandem/worker';
import { dashboardQueries, GRAFANA_DIR, metricNames, readDashboard, readRules, underlyingMetrics } from './dashboard.js';

// The provisioned Grafana dashboard (ops/grafana/): it parses, every query is PromQL that
// Prometheus accepts, names only series Tandem exports (read from the registries in code), and
// shows every figure an alert fires on.

const run = promisify(execFile);
const PROMTOOL = process.env.PROMTOOL_PATH ?? '/usr/bin/promtool';
const scratch = mkdtempSync(join(tmpdir(), 'tandem-grafana-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The series names a registry exposes: a histogram as its _bucket, _sum and _count series. */
async function seriesNames(registry: Registry): Promise<string[]> {
  const families = await registry.getMetricsAsJSON();
  return families.flatMap(({ name, type }) =>
    String(type) === 'histogram'
      ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
      : String(type) === 'summary'
        ? [name, `${name}_sum`, `${name}_count`]
        : [name],
  );
}

async function exportedSeries(): Promise<Set<string>> {
  const server = new ServerMetrics();
  const worker = workerMetrics({
    getStatus: () => ({ numInFlightWorkflowActivations: 0, numInFlightActivities: 0, numCachedWorkflows: 0, runState: 'RUNNING' }) as never,
  });
  // `up` is Prometheus's own, per scrape target.
  return new Set(['up', ...(await seriesNames(server.registry)), ...(await seriesNames(worker))]);
}

const dashboard = readDashboard();
const queries = dashboardQueries(dashboard);
const rules = readRules();

describe('the Grafana dashboard', () => {
  it('has a stable uid and title, unique panel ids, and panels that fit the 24-column grid without overlapping', () => {
    expect(dashboard.uid).toBe('tandem-overview');
    expect(dashboard.title).toBe('Tandem');
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { title, gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
    expect(queries.length).toBeGreaterThan(15);
  });

  it('queries the provisioned Prometheus datasource in every panel', () => {
    const provisioned = parse(readFileSync(join(GRAFANA_DIR, 'provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    expect(provisioned.datasources).toHaveLength(1);
    const { uid, type, url } = provisioned.datasources[0]!;
    expect([type, url]).toEqual(['prometheus', 'http://prometheus:9090']);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid });
      expect(panel.description, panel.title).toBeTruthy();
      for (const target of panel.targets ?? []) expect(target.datasource, panel.title).toEqual({ type: 'prometheus', uid });
    }
  });

  it('names only series Tandem exports (API server and worker registries, and Prometheus’s `up`)', async () => {
    const exported = await exportedSeries();
    const unknown = queries.flatMap(({ panel, expr }) =>
      metricNames(expr)
        .filter((name) => !exported.has(name))
        .map((name) => `${panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
    // The alert rules too: a renamed metric would silence an alert as quietly as it empties a panel.
    const unknownInRules = rules.flatMap((rule) => underlyingMetrics(rule.expr, rules).filter((name) => !exported.has(name)));
    expect(unknownInRules).toEqual([]);
  });

  it('finds the names in an expression, not its functions, labels, strings or durations', () => {
    expect(
      metricNames(
        'histogram_quantile(0.95, sum by (le, operation) (rate(a_bucket{code="x y", job=~"b.*"}[5m]))) / on(instance) group_left b_total offset 1h or vector(0)',
      ),
    ).toEqual(['a_bucket', 'b_total']);
  });

  it('is valid PromQL throughout (promtool check rules on the queries as recording rules)', async () => {
    const file = join(scratch, 'dashboard-queries.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboard', rules: queries.map(({ expr }, i) => ({ record: `dashboard:query_${i}`, expr })) }] }));
    const result = await run(PROMTOOL, ['check', 'rules', file]).catch((error: { stdout: string; stderr: string }) => {
      throw new Error(`promtool rejected a dashboard query:\n${error.stdout}${error.stderr}`);
    });
    expect(result.stdout).toContain(`SUCCESS: ${queries.length} rules found`);
  });

  it('shows every figure an alert fires on', () => {
    const shown = new Set(queries.flatMap(({ expr }) => metricNames(expr)));
    for (const alert of rules.filter((rule) => rule.alert)) {
      const figures = underlyingMetrics(alert.expr, rules);
      expect(figures.length, alert.alert).toBeGreaterThan(0);
      expect(
        figures.filter((name) => !shown.has(name)),
        alert.alert,
      ).toEqual([]);
    }
  });

  it('is loaded by the provider from the folder the compose files mount it at', () => {
    const provider = parse(readFileSync(join(GRAFANA_DIR, 'provisioning/dashboards/tandem.yml'), 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(provider.providers).toEqual([
      expect.objectContaining({ type: 'file', options: expect.objectContaining({ path: '/var/lib/grafana/dashboards/tandem' }) }),
    ]);
  });
});
