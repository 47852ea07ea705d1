import { createResource, createSignal, For, Show } from 'solid-js';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { download, fileSafe, formatTime } from '../lib/format';
import { exportWorkflow, listVersions } from '../lib/queries';
import { RunDialog } from './RunDialog';

/** The deployed versions, newest first: who deployed what, run or export any of them. */
export function VersionsPanel(props: { workflowId: string; name: string }) {
  const [versions] = createResource(() => props.workflowId, listVersions);
  const [running, setRunning] = createSignal<number | null>(null);
  const [error, setError] = createSignal('');
  const exportVersion = async (number: number) => {
    try {
      download(`${fileSafe(props.name)}.v${number}.tandem.json`, JSON.stringify(await exportWorkflow(props.workflowId, number), null, 2));
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <details class="panel versions">
      <summary>Versions ({versions()?.totalCount ?? '…'})</summary>
      <Show when={(versions()?.items.length ?? 0) > 0} fallback={<p class="hint">Not deployed yet.</p>}>
        <ol reversed>
          <For each={versions()!.items}>
            {(v) => (
              <li>
                <strong>v{v.number}</strong> {v.message ? `“${v.message}”` : <span class="hint">(no message)</span>} <span class="hint">by {v.author.name}, {formatTime(v.createdAt)}</span>{' '}
                <button type="button" onClick={() => setRunning(v.number)} aria-label={`Run version ${v.number}`}>
                  Run
                </button>{' '}
                <button type="button" onClick={() => void exportVersion(v.number)} aria-label={`Export version ${v.number}`}>
                  Export
                </button>
              </li>
            )}
          </For>
        </ol>
      </Show>
      <ErrorText message={error()} />
      <Show when={running()}>{(n) => <RunDialog workflowId={props.workflowId} version={n()} onClose={() => setRunning(null)} />}</Show>
    </details>
  );
}
