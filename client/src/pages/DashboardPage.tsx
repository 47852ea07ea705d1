import { A } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError } from '../lib/api';
import { useTitle } from '../lib/title';
import { NodeTable, onMetricsUpdated, RangePicker, RunCharts, Totals } from '../metrics/MetricsParts';
import { metricsOverview } from '../metrics/queries';
import '../metrics/metrics.css';

/** /dashboard: figures across every workflow you can see, live. */
export default function DashboardPage() {
  useTitle(() => 'Dashboard');
  const [range, setRange] = createSignal(86_400_000);
  const [overview, { refetch }] = createResource(range, (span) => metricsOverview(new Date(Date.now() - span), new Date()));
  onMetricsUpdated(null, () => void refetch());
  return (
    <section class="metrics page">
      <h1>Dashboard</h1>
      <RangePicker value={range()} onChange={setRange} />
      <Show when={overview.error}>
        <p class="error" role="alert">
          {describeError(overview.error)}
        </p>
      </Show>
      <Show when={overview.latest}>
        {(o) => (
          <>
            <Totals totals={o().totals} inProgress={o().inProgress} />
            <RunCharts points={o().points} step={o().step} workflowId={null} />
            <div class="table-scroll" tabIndex={0}>
              <table>
                <caption>Workflows that ran, most runs first</caption>
                <thead>
                  <tr>
                    <th scope="col">Workflow</th>
                    <th scope="col">Started</th>
                    <th scope="col">Failed</th>
                    <th scope="col">Success rate</th>
                  </tr>
                </thead>
                <tbody>
                  <For
                    each={o().workflows}
                    fallback={
                      <tr>
                        <td colSpan={4}>No runs in this range.</td>
                      </tr>
                    }
                  >
                    {(w) => (
                      <tr>
                        <th scope="row">
                          <A href={`/workflows/${w.workflowId}/metrics`}>{w.workflowName}</A>
                        </th>
                        <td>{w.totals.started}</td>
                        <td>{w.totals.failed}</td>
                        <td>{w.totals.successRate === null ? '–' : `${(w.totals.successRate * 100).toFixed(1)} %`}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <NodeTable caption="Top failing nodes" nodes={o().topFailingNodes} showWorkflow />
            <NodeTable caption="Slowest nodes (by P95)" nodes={o().slowestNodes} showWorkflow />
          </>
        )}
      </Show>
    </section>
  );
}
