import { A } from '@solidjs/router';
import { createResource, createSignal, createUniqueId, For, Show } from 'solid-js';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { StatusBadge } from '../lib/StatusBadge';
import './runs.css';
import { loadVersionChoices, rerunExecution, retryExecution, runLineage, shortRunId, type RelatedRun } from './run-relaunch';

export interface RelaunchFormProps {
  executionId: string;
  workflowId: string;
  /** The version the run ran. */
  runVersion: number;
  /** Retry from this node (the steps before it are reused); without it, run again from the start with the same input. */
  fromNodeId?: string;
  onStarted(executionId: string): void;
}

/** A version to run on (newest first, the run's own or newer) and the button that starts the new run. */
export function RelaunchForm(props: RelaunchFormProps) {
  const id = createUniqueId();
  const [choices] = createResource(
    () => [props.workflowId, props.runVersion] as const,
    ([workflowId, version]) => loadVersionChoices(workflowId, version),
  );
  const [picked, setPicked] = createSignal<number | null>(null);
  // The newest version unless the person picks another.
  const version = () => picked() ?? choices()?.[0]?.number ?? props.runVersion;
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal('');
  const start = async (event: SubmitEvent) => {
    event.preventDefault();
    setError('');
    setBusy(true);
    try {
      const next = props.fromNodeId ? await retryExecution(props.executionId, props.fromNodeId, version()) : await rerunExecution(props.executionId, version());
      props.onStarted(next.id);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="relaunch" onSubmit={(e) => void start(e)}>
      <label for={`relaunch-version-${id}`}>Version</label>
      <select id={`relaunch-version-${id}`} value={version()} onChange={(e) => setPicked(Number(e.currentTarget.value))} disabled={!choices()}>
        <For each={choices() ?? [{ number: props.runVersion, label: `v${props.runVersion}` }]}>
          {(choice) => <option value={choice.number}>{choice.label}</option>}
        </For>
      </select>
      <button type="submit" class={props.fromNodeId ? 'primary' : ''} disabled={busy()}>
        {props.fromNodeId ? 'Retry from the failed step' : 'Run again with the same input'}
      </button>
      <ErrorText message={error() || (choices.error ? describeError(choices.error) : '')} />
    </form>
  );
}

function RelatedLink(props: { run: RelatedRun }) {
  return (
    <>
      <A href={`/runs/${props.run.id}`}>{shortRunId(props.run.id)}</A> <span class="hint">v{props.run.versionNumber}</span>{' '}
      <StatusBadge status={props.run.status} />
    </>
  );
}

export interface RunLineagePanelProps {
  executionId: string;
  workflowId: string;
  runVersion: number;
  /** Ended runs can be run again (by editors and owners). */
  canRunAgain: boolean;
  onStarted(executionId: string): void;
}

/**
 * Where a run came from and what came of it: "Retry of #… from node …" (or "Run again of #…"),
 * "Retried as #…", and for an ended run "Run again with the same input".
 */
export function RunLineagePanel(props: RunLineagePanelProps) {
  const [lineage] = createResource(() => props.executionId, runLineage);
  const related = () => Boolean(lineage()?.retryOf || lineage()?.retries.length);
  return (
    <Show when={related() || props.canRunAgain}>
      <section class="panel run-lineage" aria-labelledby={`run-lineage-${props.executionId}`}>
        <h2 id={`run-lineage-${props.executionId}`}>Retries</h2>
        <Show when={lineage()?.retryOf}>
          {(of) => (
            <p data-testid="retry-of">
              {lineage()!.retryFromNodeId ? (
                <>
                  Retry of <RelatedLink run={of()} /> from node <code>{lineage()!.retryFromNodeId}</code>
                </>
              ) : (
                <>
                  Run again of <RelatedLink run={of()} />
                </>
              )}
            </p>
          )}
        </Show>
        <Show when={lineage()?.retries.length}>
          <p>Started again as:</p>
          <ul data-testid="retried-as">
            <For each={lineage()!.retries}>
              {(retry) => (
                <li>
                  <RelatedLink run={retry} />
                  <span class="hint">{retry.retryFromNodeId ? ` retry from ${retry.retryFromNodeId}` : ' run again'}</span>
                </li>
              )}
            </For>
          </ul>
        </Show>
        <Show when={props.canRunAgain}>
          <RelaunchForm executionId={props.executionId} workflowId={props.workflowId} runVersion={props.runVersion} onStarted={props.onStarted} />
        </Show>
      </section>
    </Show>
  );
}
