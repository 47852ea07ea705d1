import { A } from '@solidjs/router';
import { createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { describeError, subscribe } from '../lib/api';
import { formatTime } from '../lib/format';
import { EXECUTION_STATUSES, type ExecutionStatus } from '@tandem/schema';
import { EXECUTION_UPDATED_SUBSCRIPTION, listExecutions, type ExecutionSummary } from '../lib/queries';
import { StatusBadge } from '../lib/StatusBadge';
import { SchedulesPanel } from '../schedules/SchedulesPanel';
import { WebhookPanel } from '../schedules/WebhookPanel';

/** The runs tab: schedules, webhooks, and the runs of the workflow, live (versions have their own tab). */
export function RunsTab(props: { workflowId: string; name?: string }) {
  const [status, setStatus] = createSignal<ExecutionStatus | ''>('');
  const [runs, { refetch }] = createResource(
    () => [props.workflowId, status()] as const,
    ([id, s]) => listExecutions(id, s || null),
  );
  // Live: each status change of a run of this workflow refreshes the list (a slow poll covers gaps).
  let pending: ReturnType<typeof setTimeout> | undefined;
  const stop = subscribe<{ executionUpdated: { id: string } }>(
    EXECUTION_UPDATED_SUBSCRIPTION,
    { workflowId: props.workflowId },
    {
      next: () => {
        clearTimeout(pending);
        pending = setTimeout(() => void refetch(), 200);
      },
    },
  );
  const timer = setInterval(() => void refetch(), 15_000);
  onCleanup(() => {
    stop();
    clearTimeout(pending);
    clearInterval(timer);
  });
  return (
    <div class="page runs-list">
      <SchedulesPanel workflowId={props.workflowId} />
      <WebhookPanel workflowId={props.workflowId} />
      <div class="toolbar">
        <label>
          Status
          <select value={status()} onChange={(e) => setStatus(e.currentTarget.value as ExecutionStatus | '')}>
            <option value="">All</option>
            <For each={EXECUTION_STATUSES}>{(s) => <option value={s}>{s.toLowerCase().replace('_', ' ')}</option>}</For>
          </select>
        </label>
      </div>
      <Show when={runs.error}>
        <p class="error" role="alert">
          {describeError(runs.error)}
        </p>
      </Show>
      <Show when={runs()} fallback={<p aria-busy="true">Loading…</p>}>
        {(r) => (
          <Show when={r().items.length > 0} fallback={<p class="empty">No runs{status() ? ' with this status' : ' yet'}.</p>}>
            <div class="table-scroll">
              <table class="list">
                <caption class="sr-only">Runs</caption>
                <thead>
                  <tr>
                    <th scope="col">Run</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="hide-narrow">
                      Version
                    </th>
                    <th scope="col">Started</th>
                    <th scope="col" class="hide-narrow">
                      Finished
                    </th>
                  </tr>
                </thead>
                <tbody>
                  <For each={r().items}>
                    {(run) => (
                      <tr>
                        <td>
                          <A href={`/runs/${run.id}`}>{run.id.slice(0, 8)}</A>
                          <RetryLinks run={run} runs={r().items} />
                        </td>
                        <td>
                          <StatusBadge status={run.status} />
                        </td>
                        <td class="hide-narrow">v{run.versionNumber}</td>
                        <td>{formatTime(run.startedAt)}</td>
                        <td class="hide-narrow">{formatTime(run.finishedAt)}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <p class="hint">{r().totalCount} run(s)</p>
          </Show>
        )}
      </Show>
    </div>
  );
}

/** "retry of #…" and "retried as #…": the links between a run and its retries among the runs listed. */
function RetryLinks(props: { run: ExecutionSummary; runs: ExecutionSummary[] }) {
  const retries = () => props.runs.filter((other) => other.retryOfId === props.run.id);
  return (
    <>
      <Show when={props.run.retryOfId}>
        {(of) => (
          <span class="hint">
            {' '}
            retry of <A href={`/runs/${of()}`}>#{of().slice(0, 8)}</A>
          </span>
        )}
      </Show>
      <For each={retries()}>
        {(retry) => (
          <span class="hint">
            {' '}
            retried as <A href={`/runs/${retry.id}`}>#{retry.id.slice(0, 8)}</A>
          </span>
        )}
      </For>
    </>
  );
}
