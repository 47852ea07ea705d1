// One GraphQL read at a fixed number of clients, for `npm run bench:api` (benchmarks/src/api/k6.ts
// runs it with --summary-export and reads the `phase:measure` sub-metrics).
//
//   API_URL           the GraphQL endpoint, http://127.0.0.1:<port>/graphql
//   API_TOKEN         bearer token of the seeded user; empty: no Authorization header
//   QUERY, VARIABLES  the operation and its variables (JSON)
//   DATA_FIELD        the top-level field of `data` every response must carry
//   VUS               concurrent clients (each one keep-alive connection, one request at a time)
//   WARMUP_SECONDS    unmeasured seconds first, DURATION_SECONDS measured seconds after
//
// Connections are opened before the load starts, and kept: a saturated Node server accepts
// one new connection per turn of its event loop, and a turn then lasts as long as the requests
// already waiting take, so a client connecting into a full server waits seconds for its first
// answer. Each VU sends one request in the first second (phase `connect`), waits for the
// second to end, then loops: warm-up, then the measured requests. A single scenario keeps
// the same VUs, hence the same connections, from warm-up to measurement.
/* global __ENV */ // k6 provides it
import http from 'k6/http';
import { check, sleep } from 'k6';
import exec from 'k6/execution';

const CONNECT_MS = 1000;

const VUS = Number(__ENV.VUS || 50);
const WARMUP_MS = Number(__ENV.WARMUP_SECONDS || 2) * 1000;
const DURATION_MS = Number(__ENV.DURATION_SECONDS || 8) * 1000;
const FIELD = __ENV.DATA_FIELD;
const BODY = JSON.stringify({ query: __ENV.QUERY, variables: JSON.parse(__ENV.VARIABLES || '{}') });
const HEADERS = __ENV.API_TOKEN ? { 'content-type': 'application/json', authorization: `Bearer ${__ENV.API_TOKEN}` } : { 'content-type': 'application/json' };

export const options = {
  scenarios: {
    reads: { executor: 'constant-vus', vus: VUS, duration: `${(CONNECT_MS + WARMUP_MS + DURATION_MS) / 1000}s`, gracefulStop: '5s' },
  },
  summaryTrendStats: ['count', 'min', 'avg', 'med', 'p(95)', 'p(99)', 'max'],
  // Thresholds that always pass: they make the measured phase's sub-metrics appear in the export.
  thresholds: {
    'http_req_duration{phase:measure}': ['max>=0'],
    'checks{phase:measure}': ['rate>=0'],
  },
};

let connected = false; // per VU

export default function () {
  if (!connected) {
    connected = true;
    http.post(__ENV.API_URL, BODY, { headers: HEADERS, tags: { phase: 'connect' } });
    const rest = exec.scenario.startTime + CONNECT_MS - Date.now();
    if (rest > 0) sleep(rest / 1000);
    return;
  }
  // Requests sent once the warm-up is over are the measured ones.
  const phase = Date.now() - exec.scenario.startTime < CONNECT_MS + WARMUP_MS ? 'warmup' : 'measure';
  const response = http.post(__ENV.API_URL, BODY, { headers: HEADERS, tags: { phase } });
  check(
    response,
    {
      'HTTP 200 with data and no errors': (r) => {
        if (r.status !== 200) return false;
        const body = r.json();
        return !body.errors && body.data != null && body.data[FIELD] != null;
      },
    },
    { phase },
  );
}
