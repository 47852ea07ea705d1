import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../../src/config.js';

// Reading the Grafana dashboard and the Prometheus rules the way the tests check them.

export const GRAFANA_DIR = join(REPO_ROOT, 'ops/grafana');
export const PROMETHEUS_DIR = join(REPO_ROOT, 'ops/prometheus');

export interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ refId: string; expr: string; legendFormat?: string; datasource?: { type: string; uid: string } }>;
}

export interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

export function readDashboard(): Dashboard {
  return JSON.parse(readFileSync(join(GRAFANA_DIR, 'dashboards/tandem.json'), 'utf8')) as Dashboard;
}

/** Every query of every panel, with Grafana's interval variables replaced by a duration Prometheus accepts. */
export function dashboardQueries(dashboard: Dashboard = readDashboard()): Array<{ panel: string; expr: string }> {
  return dashboard.panels.flatMap((panel) =>
    (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr.replace(/\$__rate_interval|\$__interval|\$__range/g, '1m') })),
  );
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  annotations?: Record<string, string>;
}

export function readRules(): Rule[] {
  const file = parse(readFileSync(join(PROMETHEUS_DIR, 'rules/tandem.yml'), 'utf8')) as { groups: Array<{ rules: Rule[] }> };
  return file.groups.flatMap((group) => group.rules);
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'group_left', 'group_right', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects: identifiers that are neither a function or
 * aggregation (followed by `(`), a keyword, a label (inside `{}` or `by (…)`), nor part of a
 * string or a duration.
 */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...bare.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(?![\w:]|\s*\()/g)].map((match) => match[1]!);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name.toLowerCase())))];
}

/** The raw series names an expression depends on, through the recording rules it uses. */
export function underlyingMetrics(expr: string, rules: Rule[]): string[] {
  const recorded = new Map(rules.filter((rule) => rule.record).map((rule) => [rule.record!, rule.expr]));
  const expand = (names: string[]): string[] => names.flatMap((name) => (recorded.has(name) ? expand(metricNames(recorded.get(name)!)) : [name]));
  return [...new Set(expand(metricNames(expr)))];
}
