import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { formatTime } from '../lib/format';
import { listSchedules, myRole, setSchedulePaused } from '../lib/queries';

/** The Temporal Schedules of the latest deployed version; editors and the owner pause and resume them. */
export function SchedulesPanel(props: { workflowId: string }) {
  const [schedules, { mutate }] = createResource(() => props.workflowId, listSchedules);
  // Viewers see schedules but may not pause them (the server would refuse).
  const [role] = createResource(() => props.workflowId, myRole);
  const [error, setError] = createSignal('');
  const toggle = async (nodeId: string, paused: boolean) => {
    setError('');
    try {
      mutate(await setSchedulePaused(props.workflowId, nodeId, paused));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <Show when={(schedules()?.length ?? 0) > 0}>
      <div class="panel schedules">
        <h2>Schedules</h2>
        <ul>
          <For each={schedules()}>
            {(s) => (
              <li>
                <code>{s.cron}</code> ({s.timezone}) from node <strong>{s.nodeId}</strong> — {s.paused ? 'paused' : `next run ${formatTime(s.nextRunAt)}`}{' '}
                <Show when={role() && role() !== 'VIEWER'}>
                  <button type="button" onClick={() => void toggle(s.nodeId, !s.paused)}>
                    {s.paused ? 'Resume schedule' : 'Pause schedule'}
                  </button>
                </Show>
              </li>
            )}
          </For>
        </ul>
        <ErrorText message={error()} />
      </div>
    </Show>
  );
}
