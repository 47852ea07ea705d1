import { createResource, createSignal, Show, untrack } from 'solid-js';
import { describeError } from '../lib/api';
import { NodeTable, onMetricsUpdated, RangePicker, RunCharts, Totals } from './MetricsParts';
import { workflowMetrics } from './queries';
import './metrics.css';

/** A workflow's Metrics tab: its runs over time, durations, success rate, per-node figures; live. */
export function MetricsTab(props: { workflowId: string }) {
  const [range, setRange] = createSignal(86_400_000);
  const [metrics, { refetch }] = createResource(
    () => ({ id: props.workflowId, range: range() }),
    ({ id, range: span }) => workflowMetrics(id, new Date(Date.now() - span), new Date()),
  );
  // The page mounts a fresh tab for another workflow.
  onMetricsUpdated(
    untrack(() => props.workflowId),
    () => void refetch(),
  );
  return (
    <section class="metrics page" aria-label="Metrics">
      <RangePicker value={range()} onChange={setRange} />
      <Show when={metrics.error}>
        <p class="error" role="alert">
          {describeError(metrics.error)}
        </p>
      </Show>
      <Show when={metrics.latest}>
        {(m) => (
          <>
            <Totals totals={m().totals} inProgress={m().inProgress} />
            <RunCharts points={m().points} step={m().step} deploys={m().deploys} workflowId={props.workflowId} />
            <NodeTable
              caption="Steps by node, slowest first"
              nodes={[...m().nodes].sort((a, b) => (b.totals.durationP95 ?? 0) - (a.totals.durationP95 ?? 0))}
            />
          </>
        )}
      </Show>
    </section>
  );
}
