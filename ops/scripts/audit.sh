#!/usr/bin/env bash
# Fails when a production dependency has a high or critical advisory that is not on the
# allow-list (ops/scripts/audit-allow.txt: one advisory id a line, each explained in
# docs/security/report.md, section "Dependencies").
#
#   bash ops/scripts/audit.sh                  # runs `npm audit --omit=dev --json`
#   AUDIT_JSON=report.json bash ops/scripts/audit.sh   # checks a saved report instead
#   (AUDIT_ALLOW=<file> replaces the allow-list, for tests)
#
# When the registry's advisory service cannot be reached (offline, or a registry mirror
# that refuses the audit POST), nothing can be checked: the script says so loudly and
# exits 0, or 1 with TANDEM_AUDIT_REQUIRED=1 (set it where the service is reachable).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

report="${AUDIT_JSON:-}"
if [ -z "$report" ]; then
  report="$(mktemp)"
  trap 'rm -f "$report"' EXIT
  # npm audit exits non-zero whenever it finds anything (or fails); the JSON decides.
  npm audit --omit=dev --json >"$report" 2>/dev/null || true
fi

node --input-type=module - "$report" "${AUDIT_ALLOW:-ops/scripts/audit-allow.txt}" <<'EOF'
import { readFileSync } from 'node:fs';

const [reportFile, allowFile] = process.argv.slice(2);
const allowed = new Set(
  readFileSync(allowFile, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean),
);
const required = process.env.TANDEM_AUDIT_REQUIRED === '1';

let report;
try {
  report = JSON.parse(readFileSync(reportFile, 'utf8'));
} catch {
  report = undefined;
}
if (!report || typeof report.vulnerabilities !== 'object' || report.vulnerabilities === null) {
  const why = String(report?.message ?? report?.error?.summary ?? report?.error?.code ?? 'no audit report');
  console.log(`audit: NOT CHECKED: the npm advisory service gave no report (${why.split('\n')[0]}).`);
  console.log('audit: production dependencies were not audited; see docs/security/report.md#dependencies.');
  process.exit(required ? 1 : 0);
}

// Each vulnerable package lists its advisories in `via` (objects) or the packages it
// inherits them from (strings); the objects are the advisories themselves.
const found = new Map();
for (const [name, entry] of Object.entries(report.vulnerabilities)) {
  for (const via of entry.via ?? []) {
    if (typeof via !== 'object' || via === null) continue;
    if (via.severity !== 'high' && via.severity !== 'critical') continue;
    const id = /GHSA-[\w-]+/.exec(via.url ?? '')?.[0] ?? String(via.source ?? via.title);
    found.set(id, { id, name: via.name ?? name, severity: via.severity, range: via.range ?? '?', title: via.title ?? '', nodes: entry.nodes ?? [] });
  }
}

const blocking = [...found.values()].filter((advisory) => !allowed.has(advisory.id));
const explained = [...found.values()].filter((advisory) => allowed.has(advisory.id));
for (const advisory of explained) console.log(`audit: allowed ${advisory.id} (${advisory.severity}) in ${advisory.name} ${advisory.range}: explained in docs/security/report.md`);
const counts = report.metadata?.vulnerabilities ?? {};
console.log(`audit: production dependencies: ${counts.critical ?? 0} critical, ${counts.high ?? 0} high, ${counts.moderate ?? 0} moderate, ${counts.low ?? 0} low`);
if (blocking.length === 0) {
  console.log('audit: no unexplained high or critical advisory');
  process.exit(0);
}
for (const advisory of blocking) {
  console.log(`audit: ${advisory.severity.toUpperCase()} ${advisory.id} in ${advisory.name} ${advisory.range}: ${advisory.title} (${advisory.nodes.join(', ')})`);
}
console.log('audit: update the package within its semver range (npm install <pkg>@<version>), or explain the advisory in');
console.log('audit: docs/security/report.md ("Dependencies") and add its id to ops/scripts/audit-allow.txt');
process.exit(1);
EOF
