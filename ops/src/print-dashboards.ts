// `npm run dashboards [URL]`: the dashboard URLs of a running deployment (Tandem's Dashboard page,
// Grafana's, Prometheus's alerts, Alertmanager), each checked to answer. URL defaults to
// TANDEM_URL; GRAFANA_URL, PROMETHEUS_URL and ALERTMANAGER_URL add the others. Exits 1 when
// Tandem, or a service that is configured, does not answer.
import { dashboardSettings, dashboardsProblem, findDashboards, formatDashboards } from './dashboards.js';

const report = await findDashboards(dashboardSettings(process.env, process.argv[2]));
console.log(formatDashboards(report));
const problem = dashboardsProblem(report);
if (problem) console.error(`\n${problem}`);
process.exit(problem ? 1 : 0);
