// `npm run test:load` (benchmarks/src/load/main.ts runs it): IN_FLIGHT executions of a workflow
// that waits for a signal are started and held in flight at once, then all released, while
// readers query the API and subscribers follow runs over graphql-ws.
//
//   API_URL        the GraphQL endpoint, http://host:port/graphql (ws:// is derived from it)
//   API_TOKEN      bearer token of the user who owns WORKFLOW_ID
//   WORKFLOW_ID    a deployed workflow: trigger -> wait.signal SIGNAL -> output
//   SIGNAL         the signal its runs wait for
//   IN_FLIGHT      executions held at once (500)
//   READERS        VUs reading the API while runs are held and released (20)
//   SUBSCRIBERS    VUs each following one run's executionEvents until it completes (50)
//   RELEASERS      VUs sending the release signals (50)
//   HOLD_SECONDS   how long the runs stay held, with reads and subscriptions going on (10)
//   P95_MS         API P95 threshold in ms (200); 0 leaves latency unchecked (the suite's smoke run)
//   SUMMARY_JSON   where to write the figures as JSON (optional)
/* global __ENV */ // k6 provides it
import http from 'k6/http';
import ws from 'k6/ws';
import { sleep } from 'k6';
import exec from 'k6/execution';
import { Counter, Gauge, Rate, Trend } from 'k6/metrics';

const IN_FLIGHT = Number(__ENV.IN_FLIGHT || 500);
const READERS = Number(__ENV.READERS || 20);
const SUBSCRIBERS = Math.min(Number(__ENV.SUBSCRIBERS || 50), IN_FLIGHT);
const RELEASERS = Math.min(Number(__ENV.RELEASERS || 50), IN_FLIGHT);
const HOLD_SECONDS = Number(__ENV.HOLD_SECONDS || 10);
const P95_MS = Number(__ENV.P95_MS ?? 200);
const API_URL = __ENV.API_URL;
const WS_URL = API_URL.replace(/^http/, 'ws');
const HEADERS = { 'content-type': 'application/json', authorization: `Bearer ${__ENV.API_TOKEN}` };
const WORKFLOW_ID = __ENV.WORKFLOW_ID;
/** Start requests in flight at once while the runs are started. */
const START_BATCH = 25;
/** How long the released runs may take to complete, and subscribers to see it. */
const FINISH_SECONDS = Math.max(60, IN_FLIGHT / 20);

/** Every operation's outcome: a start, a release, a read, a subscription, a run that completed. */
const success = new Rate('success');
const held = new Gauge('held_at_once');
const completed = new Gauge('runs_completed');
const events = new Counter('subscription_events');
const subscriptionsDone = new Rate('subscriptions_saw_completion');
const apiDuration = new Trend('api_duration', true);

const START = 'mutation($w: ID!, $i: JSON) { startExecution(workflowId: $w, input: $i) { id status } }';
const SIGNAL = 'mutation($id: ID!, $name: String!) { signalExecution(id: $id, name: $name, payload: { by: "k6" }) { id } }';
const COUNT = 'query($w: ID!, $s: ExecutionStatus) { executions(first: 1, filter: { workflowId: $w, status: $s }) { totalCount } }';
const READ_ONE = 'query($id: ID!) { execution(id: $id) { id status startedAt } }';
const READ_PAGE = 'query($w: ID!) { executions(first: 20, filter: { workflowId: $w }) { totalCount edges { node { id status } } } }';
const SUBSCRIBE = 'subscription($id: ID!) { executionEvents(executionId: $id) { id sequence type } }';

const releaseStart = HOLD_SECONDS;
export const options = {
  // Starting the runs takes longest on a busy machine: allow about a second per run.
  setupTimeout: `${Math.max(300, IN_FLIGHT)}s`,
  teardownTimeout: `${FINISH_SECONDS + 30}s`,
  // Start requests go out in parallel batches from setup; k6 caps a batch per host at 6 otherwise.
  batch: 100,
  batchPerHost: 100,
  // A new connection per request: Node closes a keep-alive connection idle for 5 s, and a
  // request k6 sends on it as it closes fails with "connection reset by peer" (seen here
  // whenever runs were held for longer than that), which would count against the server.
  noConnectionReuse: true,
  scenarios: {
    readers: { executor: 'constant-vus', vus: READERS, duration: `${releaseStart + 10}s`, exec: 'read' },
    subscribers: { executor: 'per-vu-iterations', vus: SUBSCRIBERS, iterations: 1, maxDuration: `${releaseStart + FINISH_SECONDS}s`, exec: 'subscribe' },
    release: {
      executor: 'shared-iterations',
      vus: RELEASERS,
      iterations: IN_FLIGHT,
      startTime: `${releaseStart}s`,
      maxDuration: `${FINISH_SECONDS}s`,
      exec: 'release',
    },
  },
  summaryTrendStats: ['count', 'avg', 'med', 'p(95)', 'p(99)', 'max'],
  thresholds: {
    success: ['rate>0.99'],
    ...(P95_MS > 0 ? { api_duration: [`p(95)<${P95_MS}`] } : { api_duration: ['max>=0'] }),
    // Shown per kind in the summary.
    'api_duration{kind:start}': ['max>=0'],
    'api_duration{kind:signal}': ['max>=0'],
    'api_duration{kind:read}': ['max>=0'],
  },
};

function gql(query, variables, kind) {
  const response = http.post(API_URL, JSON.stringify({ query, variables }), { headers: HEADERS, tags: { kind } });
  apiDuration.add(response.timings.duration, { kind });
  let body = null;
  try {
    body = response.json();
  } catch {
    // not JSON: counted as a failure below
  }
  const ok = response.status === 200 && body !== null && !body.errors && body.data !== null;
  return { ok, data: ok ? body.data : null, error: ok ? null : `${response.status} ${response.body ? String(response.body).slice(0, 200) : ''}` };
}

function count(status) {
  const result = gql(COUNT, { w: WORKFLOW_ID, s: status }, 'poll');
  return result.ok ? result.data.executions.totalCount : -1;
}

/** Starts IN_FLIGHT runs (in parallel batches) and waits until every one of them waits for its signal. */
export function setup() {
  const ids = [];
  for (let first = 0; first < IN_FLIGHT; first += START_BATCH) {
    const size = Math.min(START_BATCH, IN_FLIGHT - first);
    const requests = [];
    for (let i = 0; i < size; i++) {
      const body = JSON.stringify({ query: START, variables: { w: WORKFLOW_ID, i: { n: first + i } } });
      requests.push({ method: 'POST', url: API_URL, body, params: { headers: HEADERS, tags: { kind: 'start' }, timeout: '120s' } });
    }
    for (const response of http.batch(requests)) {
      apiDuration.add(response.timings.duration, { kind: 'start' });
      let id = null;
      try {
        id = response.json().data.startExecution.id;
      } catch {
        // counted as a failed start
      }
      success.add(id !== null, { kind: 'start' });
      if (id) ids.push(id);
    }
  }
  const deadline = Date.now() + FINISH_SECONDS * 1000;
  let waiting = 0;
  while (Date.now() < deadline) {
    waiting = count('WAITING');
    if (waiting >= ids.length) break;
    sleep(0.5);
  }
  held.add(waiting);
  console.log(`${ids.length} runs started, ${waiting} waiting for their signal at once`);
  return { ids };
}

export function read(data) {
  const id = data.ids[Math.floor(Math.random() * data.ids.length)];
  const one = gql(READ_ONE, { id }, 'read');
  success.add(one.ok, { kind: 'read' });
  const page = gql(READ_PAGE, { w: WORKFLOW_ID }, 'read');
  success.add(page.ok, { kind: 'read' });
  sleep(0.1);
}

export function release(data) {
  const id = data.ids[exec.scenario.iterationInTest];
  if (!id) return;
  const result = gql(SIGNAL, { id, name: __ENV.SIGNAL }, 'signal');
  if (!result.ok) console.warn(`signal ${id}: ${result.error}`);
  success.add(result.ok, { kind: 'signal' });
}

/** Follows one run over graphql-ws from its first event until EXECUTION_COMPLETED. */
export function subscribe(data) {
  const id = data.ids[exec.vu.idInTest % data.ids.length];
  let sawCompletion = false;
  const response = ws.connect(WS_URL, { headers: { 'sec-websocket-protocol': 'graphql-transport-ws' } }, (socket) => {
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: HEADERS.authorization } })));
    socket.on('message', (raw) => {
      const message = JSON.parse(raw);
      if (message.type === 'connection_ack') socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: SUBSCRIBE, variables: { id } } }));
      else if (message.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (message.type === 'next') {
        events.add(1);
        const event = message.payload.data && message.payload.data.executionEvents;
        if (event && event.type === 'EXECUTION_COMPLETED') {
          sawCompletion = true;
          socket.close();
        }
      } else if (message.type === 'error' || message.type === 'complete') socket.close();
    });
    socket.setTimeout(() => socket.close(), (releaseStart + FINISH_SECONDS - 5) * 1000);
  });
  const ok = response !== null && response.status === 101 && sawCompletion;
  subscriptionsDone.add(ok);
  success.add(ok, { kind: 'subscription' });
}

/** Every released run must complete. */
export function teardown(data) {
  const deadline = Date.now() + FINISH_SECONDS * 1000;
  let done = 0;
  while (Date.now() < deadline) {
    done = count('COMPLETED');
    if (done >= data.ids.length) break;
    sleep(1);
  }
  completed.add(done);
  for (let i = 0; i < IN_FLIGHT; i++) success.add(i < done, { kind: 'completed' });
}

function value(data, name, stat) {
  const metric = data.metrics[name];
  return metric && metric.values ? metric.values[stat] : undefined;
}

function ms(number) {
  return number === undefined ? '-' : `${number.toFixed(1)} ms`;
}

/** The summary table (stdout) and the figures as JSON (SUMMARY_JSON). */
export function handleSummary(data) {
  const threshold = (name) => {
    const metric = data.metrics[name];
    if (!metric || !metric.thresholds) return '';
    return Object.values(metric.thresholds).every((t) => t.ok) ? 'pass' : 'FAIL';
  };
  const figures = {
    inFlight: IN_FLIGHT,
    heldAtOnce: value(data, 'held_at_once', 'value'),
    completed: value(data, 'runs_completed', 'value'),
    successRate: value(data, 'success', 'rate'),
    subscriptionsSawCompletion: value(data, 'subscriptions_saw_completion', 'rate'),
    subscriptionEvents: value(data, 'subscription_events', 'count'),
    api: {},
  };
  for (const kind of ['all', 'start', 'signal', 'read']) {
    const name = kind === 'all' ? 'api_duration' : `api_duration{kind:${kind}}`;
    figures.api[kind] = { count: value(data, name, 'count'), med: value(data, name, 'med'), p95: value(data, name, 'p(95)'), p99: value(data, name, 'p(99)') };
  }
  const rows = [
    ['executions in flight (asked)', String(IN_FLIGHT), ''],
    ['held at once (WAITING)', String(figures.heldAtOnce ?? '-'), ''],
    ['completed after release', String(figures.completed ?? '-'), ''],
    ['success (starts, releases, reads, subscriptions, completions)', `${((figures.successRate || 0) * 100).toFixed(2)} %`, `> 99 %: ${threshold('success')}`],
    ['subscribers that saw EXECUTION_COMPLETED', `${((figures.subscriptionsSawCompletion || 0) * 100).toFixed(1)} % of ${SUBSCRIBERS}`, ''],
    ['subscription events received', String(figures.subscriptionEvents ?? 0), ''],
    ['API P95, every request', ms(figures.api.all.p95), P95_MS > 0 ? `< ${P95_MS} ms: ${threshold('api_duration')}` : 'not checked'],
    ['  startExecution P50 / P95', `${ms(figures.api.start.med)} / ${ms(figures.api.start.p95)}`, `${figures.api.start.count || 0} requests`],
    ['  signalExecution P50 / P95', `${ms(figures.api.signal.med)} / ${ms(figures.api.signal.p95)}`, `${figures.api.signal.count || 0} requests`],
    ['  reads P50 / P95', `${ms(figures.api.read.med)} / ${ms(figures.api.read.p95)}`, `${figures.api.read.count || 0} requests`],
  ];
  const width = [0, 1, 2].map((c) => Math.max(...rows.map((r) => r[c].length)));
  const line = (r) => `| ${r.map((cell, c) => cell.padEnd(width[c])).join(' | ')} |`;
  const table = [line(['test:load', 'figure', 'threshold']), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
  const out = { stdout: `\n${table}\n\n` };
  if (__ENV.SUMMARY_JSON) out[__ENV.SUMMARY_JSON] = JSON.stringify(figures, null, 2);
  return out;
}
