import { A } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { describeError, subscribe } from '../lib/api';
import { formatDuration } from '../lib/format';
import { StatusBadge } from '../lib/StatusBadge';
import { Chart } from './Chart';
import { METRICS_UPDATED, RANGES, runsBehind, type InProgress, type MetricsPoint, type NodeMetrics } from './queries';

const percent = (v: number | null) => (v === null ? '–' : `${(v * 100).toFixed(1)} %`);
const count = (v: number | null) => (v === null ? '–' : String(v));
const ms = (v: number | null) => (v === null ? '–' : formatDuration(v));

/** The 1 h / 24 h / 7 d / 30 d picker; a group of toggle buttons, one pressed. */
export function RangePicker(props: { value: number; onChange: (ms: number) => void }) {
  return (
    <div class="range-picker" role="group" aria-label="Time range">
      <For each={RANGES}>
        {(range) => (
          <button type="button" aria-pressed={props.value === range.ms} onClick={() => props.onChange(range.ms)}>
            {range.label}
          </button>
        )}
      </For>
    </div>
  );
}

/** Re-reads figures when the server counts new ones (live), for one workflow or all you can see. */
export function onMetricsUpdated(workflowId: string | null, refetch: () => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = subscribe<{ metricsUpdated: { workflowIds: string[] } }>(
    METRICS_UPDATED,
    { id: workflowId },
    {
      next: () => {
        // Several updates in a burst make one refetch.
        timer ??= setTimeout(() => {
          timer = undefined;
          refetch();
        }, 300);
      },
    },
  );
  onCleanup(() => {
    stop();
    clearTimeout(timer);
  });
}

export function Totals(props: { totals: MetricsPoint; inProgress: InProgress }) {
  return (
    <dl class="metric-cards">
      <div>
        <dt>Runs started</dt>
        <dd>{props.totals.started}</dd>
      </div>
      <div>
        <dt>Success rate</dt>
        <dd>{percent(props.totals.successRate)}</dd>
      </div>
      <div>
        <dt>Failed</dt>
        <dd>{props.totals.failed}</dd>
      </div>
      <div>
        <dt>Duration P95</dt>
        <dd>{ms(props.totals.durationP95)}</dd>
      </div>
      <div>
        <dt>In flight</dt>
        <dd>
          {props.inProgress.running} running, {props.inProgress.waiting} waiting
        </dd>
      </div>
    </dl>
  );
}

/** The run charts of a series: runs by status, duration percentiles, success rate; a picked point lists its runs. */
export function RunCharts(props: { points: MetricsPoint[]; step: number; deploys?: Array<{ version: number; at: string }>; workflowId: string | null }) {
  const [picked, setPicked] = createSignal<number | null>(null);
  const times = () => props.points.map((p) => Date.parse(p.at));
  const deploys = () => (props.deploys ?? []).map((d) => ({ version: d.version, at: Date.parse(d.at) }));
  const column = (key: keyof MetricsPoint) => props.points.map((p) => p[key] as number | null);
  return (
    <>
      <div class="chart-grid">
        <Chart
          title="Runs over time by status"
          times={times()}
          deploys={deploys()}
          onPick={setPicked}
          series={[
            { label: 'Started', color: '#2563eb', values: column('started'), format: count },
            { label: 'Completed', color: '#15803d', values: column('completed'), format: count },
            { label: 'Failed', color: '#b91c1c', values: column('failed'), format: count },
          ]}
        />
        <Chart
          title="Run duration percentiles"
          times={times()}
          deploys={deploys()}
          onPick={setPicked}
          series={[
            { label: 'P50', color: '#0f766e', values: column('durationP50'), format: ms },
            { label: 'P95', color: '#b45309', values: column('durationP95'), format: ms },
            { label: 'P99', color: '#7c2d12', values: column('durationP99'), format: ms },
          ]}
        />
        <Chart
          title="Success rate"
          times={times()}
          deploys={deploys()}
          onPick={setPicked}
          series={[{ label: 'Success rate', color: '#15803d', values: column('successRate'), format: percent }]}
        />
      </div>
      <Show when={picked() !== null && props.points[picked()!]}>
        {(point) => <PointRuns point={point()} step={props.step} workflowId={props.workflowId} onClose={() => setPicked(null)} />}
      </Show>
    </>
  );
}

/** The runs behind one point: those started in its window, or ended in it with the chosen status. */
function PointRuns(props: { point: MetricsPoint; step: number; workflowId: string | null; onClose: () => void }) {
  const [status, setStatus] = createSignal<string | null>(null);
  const window = () => {
    const from = new Date(props.point.at);
    return { from, to: new Date(from.getTime() + props.step * 1000) };
  };
  const [runs] = createResource(
    () => ({ ...window(), status: status() }),
    ({ from, to, status: s }) => runsBehind(props.workflowId, from, to, s),
  );
  return (
    <section class="point-runs" aria-labelledby="point-runs-title">
      <h3 id="point-runs-title">
        Runs from {window().from.toLocaleString()} to {window().to.toLocaleTimeString()}
      </h3>
      <div class="range-picker" role="group" aria-label="Which runs">
        <For each={[null, 'COMPLETED', 'FAILED', 'CANCELLED']}>
          {(s) => (
            <button type="button" aria-pressed={status() === s} onClick={() => setStatus(s)}>
              {s === null ? 'Started' : s.charAt(0) + s.slice(1).toLowerCase()}
            </button>
          )}
        </For>
        <button type="button" class="link" onClick={() => props.onClose()}>
          Close
        </button>
      </div>
      <Show when={runs.error}>
        <p class="error" role="alert">
          {describeError(runs.error)}
        </p>
      </Show>
      <Show when={runs()}>
        {(list) => (
          <Show when={list().length > 0} fallback={<p>No runs.</p>}>
            <ul class="point-run-list">
              <For each={list()}>
                {(run) => (
                  <li>
                    <A href={`/runs/${run.id}`}>Run {run.id.slice(0, 8)}</A> <StatusBadge status={run.status} /> {new Date(run.startedAt).toLocaleString()}
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </section>
  );
}

/** Nodes with their step figures, slowest first: which step is slow, which one fails. */
export function NodeTable(props: { caption: string; nodes: NodeMetrics[]; showWorkflow?: boolean }) {
  return (
    <div class="table-scroll" tabIndex={0}>
      <table class="node-table">
        <caption>{props.caption}</caption>
        <thead>
          <tr>
            {props.showWorkflow ? <th scope="col">Workflow</th> : null}
            <th scope="col">Node</th>
            <th scope="col">Type</th>
            <th scope="col">Completed</th>
            <th scope="col">Failed</th>
            <th scope="col">Retries</th>
            <th scope="col">P50</th>
            <th scope="col">P95</th>
          </tr>
        </thead>
        <tbody>
          <For
            each={props.nodes}
            fallback={
              <tr>
                <td colSpan={props.showWorkflow ? 8 : 7}>Nothing in this range.</td>
              </tr>
            }
          >
            {(node) => (
              <tr>
                {props.showWorkflow ? (
                  <td>
                    <A href={`/workflows/${node.workflowId}/metrics`}>{node.workflowName}</A>
                  </td>
                ) : null}
                <th scope="row">{node.nodeId}</th>
                <td>{node.nodeType}</td>
                <td>{node.totals.completed}</td>
                <td>{node.totals.failed}</td>
                <td>{node.totals.retries}</td>
                <td>{ms(node.totals.durationP50)}</td>
                <td>{ms(node.totals.durationP95)}</td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
    </div>
  );
}
