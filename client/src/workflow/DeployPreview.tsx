import { createSignal, For, onCleanup, onMount, Show } from 'solid-js';
import { A } from '@solidjs/router';
import { subscribe, type ApiError } from '../lib/api';
import { formatTime } from '../lib/format';
import { DEPLOY_PREVIEW_SUBSCRIPTION, type DeployPreviewProgress, type RunPreview } from '../lib/queries';

const VERDICT_TEXT: Record<RunPreview['verdict'], string> = {
  SAME: 'Same result',
  DIFFERENT: 'Different result',
  WOULD_FAIL: 'Would fail',
  UNKNOWN: 'Unknown',
  NOT_CHECKED: 'Not checked',
};

/**
 * "Check against recent runs": the draft dry-run on the live version's recent runs, one row per
 * run as each is checked. `before` runs first (e.g. waiting until local edits are saved).
 */
export function DeployPreview(props: { workflowId: string; before: () => Promise<void> }) {
  const [progress, setProgress] = createSignal<DeployPreviewProgress | null>(null);
  const [runs, setRuns] = createSignal<RunPreview[]>([]);
  const [state, setState] = createSignal<'idle' | 'running' | 'done'>('idle');
  const [message, setMessage] = createSignal('');
  let stop: (() => void) | undefined;
  onCleanup(() => stop?.());

  const check = async () => {
    stop?.();
    setRuns([]);
    setProgress(null);
    setMessage('');
    setState('running');
    try {
      await props.before();
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
      setState('done');
      return;
    }
    stop = subscribe<{ previewDeployProgress: DeployPreviewProgress }>(
      DEPLOY_PREVIEW_SUBSCRIPTION,
      { workflowId: props.workflowId, runs: 20 },
      {
        next: ({ previewDeployProgress: step }) => {
          setProgress(step);
          const run = step.run;
          if (run) setRuns((list) => [...list, run]);
        },
        error: (error: ApiError) => {
          // Nothing deployed yet is no failure: there is simply nothing to compare with.
          setMessage(error.code === 'BAD_USER_INPUT' && error.problems.length === 0 ? error.message : `The check failed: ${error.message}`);
          setState('done');
        },
        complete: () => setState('done'),
      },
    );
  };
  onMount(() => void check());

  const summary = () => {
    const p = progress();
    if (!p) return state() === 'running' ? 'Preparing the check…' : '';
    if (p.total === 0) return `Version ${p.liveVersion} has no completed or failed runs to check against.`;
    const counts = new Map<string, number>();
    for (const run of runs()) counts.set(run.verdict, (counts.get(run.verdict) ?? 0) + 1);
    const parts = [...counts].map(([verdict, n]) => `${n} ${VERDICT_TEXT[verdict as RunPreview['verdict']].toLowerCase()}`);
    const runsText = `recent run${p.total === 1 ? '' : 's'} of version ${p.liveVersion}`;
    const head = state() === 'running' ? `Checked ${p.checked} of ${p.total} ${runsText}` : `${p.total} ${runsText}`;
    return parts.length > 0 ? `${head}: ${parts.join(', ')}.` : `${head}…`;
  };

  return (
    <section class="deploy-preview" aria-label="Check against recent runs">
      <div class="deploy-preview-head">
        <h3>Check against recent runs</h3>
        <button type="button" class="link" disabled={state() === 'running'} onClick={() => void check()}>
          Check again
        </button>
      </div>
      <p class="hint">The draft runs on each run’s recorded input without calling anything: unchanged HTTP requests give their recorded responses.</p>
      <Show when={state() === 'running' && progress()}>{(p) => <progress max={Math.max(p().total, 1)} value={p().checked} aria-label="Runs checked" />}</Show>
      <p role="status" aria-live="polite">
        {summary()}
      </p>
      <Show when={message()}>
        <p class="hint">{message()}</p>
      </Show>
      <Show when={runs().length > 0}>
        <ul class="preview-runs">
          <For each={runs()}>{(run) => <RunPreviewRow run={run} />}</For>
        </ul>
      </Show>
    </section>
  );
}

/** One run: its verdict, and on demand the result diff, the failure and the steps not performed. */
function RunPreviewRow(props: { run: RunPreview }) {
  const would = () => props.run.notes.filter((n) => n.kind !== 'RECORDED');
  return (
    <li
      class={`preview-run verdict-${props.run.verdict.toLowerCase()}`}
      aria-label={`Run ${props.run.executionId.slice(0, 8)}: ${VERDICT_TEXT[props.run.verdict]}`}
    >
      <details>
        <summary>
          <span class="tag">{VERDICT_TEXT[props.run.verdict]}</span> run {props.run.executionId.slice(0, 8)}{' '}
          <span class="hint">{formatTime(props.run.startedAt)}</span>
          <Show when={props.run.failure}>
            {(f) => (
              <span>
                {' '}
                at <code>{f().nodeId ?? 'start'}</code>: {f().message}
              </span>
            )}
          </Show>
        </summary>
        <A href={`/runs/${props.run.executionId}`}>Open the run</A>
        <Show when={would().length > 0}>
          <ul class="preview-notes">
            <For each={would()}>
              {(note) => (
                <li>
                  <code>{note.nodeId}</code> {note.message}
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={props.run.reason}>
          <p class="hint">{props.run.reason}</p>
        </Show>
        <Show when={props.run.resultDiff.length > 0}>
          <ul class="result-diff" aria-label="Result differences">
            <For each={props.run.resultDiff}>
              {(change) => (
                <li>
                  <code>{change.field || '(result)'}</code>{' '}
                  <Show when={change.change !== 'ADDED'}>
                    <del>{JSON.stringify(change.before)}</del>
                  </Show>{' '}
                  <Show when={change.change !== 'REMOVED'}>
                    <ins>{JSON.stringify(change.after)}</ins>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </details>
    </li>
  );
}
