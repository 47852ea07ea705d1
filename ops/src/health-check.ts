// `npm run health:check [URL]`: a table of each part of a running Tandem (from /healthz and
// /readyz); exits 1 when any is down. URL defaults to TANDEM_URL, else http://127.0.0.1:$PORT.
import { checkHealth, formatHealthTable } from './health.js';

const url = process.argv[2] ?? process.env.TANDEM_URL ?? `http://127.0.0.1:${process.env.PORT ?? 4000}`;
const report = await checkHealth(url);
console.log(formatHealthTable(report));
process.exit(report.ok ? 0 : 1);
