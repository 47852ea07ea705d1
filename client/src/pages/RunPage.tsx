import { A, useNavigate, useParams } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Show } from 'solid-js';
import { isFinalStatus, type WorkflowDefinition } from '@tandem/schema';
import { Canvas } from '../graph/Canvas';
import { canvasModel } from '../editor/doc';
import { describeError } from '../lib/api';
import { formatDuration, formatTime, pretty } from '../lib/format';
import { JsonInput, parseJson } from '../lib/JsonInput';
import { controlExecution, exportWorkflow, getExecution, getWorkflow, signalExecution, type Execution, type ExecutionEvent } from '../lib/queries';
import type { StepInfo } from '../lib/run-state';
import { StatusBadge } from '../lib/StatusBadge';
import { useEventStream } from '../runs/event-stream';
import { RunProgress } from '../runs/RunProgress';
import { RunLineagePanel } from '../runs/Relaunch';
import { ReplayViewer, useReplayView } from '../runs/ReplayViewer';
import { useTitle } from '../lib/title';
import { ErrorText } from '../lib/ErrorText';

export default function RunPage() {
  const params = useParams<{ id: string }>();
  const [execution, { refetch, mutate }] = createResource(() => params.id, getExecution);
  const [details] = createResource(
    () => execution() && ([execution()!.workflowId, execution()!.versionNumber] as const),
    async ([workflowId, version]) => {
      const [definition, workflow] = await Promise.all([exportWorkflow(workflowId, version), getWorkflow(workflowId).catch(() => null)]);
      return {
        definition: definition as WorkflowDefinition,
        name: workflow?.name ?? definition.name,
        canControl: workflow ? workflow.myRole !== 'VIEWER' : true,
      };
    },
  );

  // Live events, resumed by cursor; a run that ends is read again for its final row.
  const stream = useEventStream(() => execution()?.id, { onTerminal: () => void refetch() });
  const events = stream.events;
  const live = stream.state;
  const streamError = stream.error;

  // The state at the replay cursor (the live end unless someone moved it); the run's own status is the live end's.
  const replay = useReplayView({
    executionId: () => params.id,
    workflowId: () => execution()?.workflowId,
    events,
    streamEnded: () => live() === 'ended',
    definition: () => details()?.definition,
  });
  const state = () => replay.session.state();
  const latest = () => replay.latest();
  const status = () => latest().status ?? execution()?.status ?? null;
  useTitle(() => (details() ? `Run of ${details()!.name}${status() ? ` (${status()!.toLowerCase()})` : ''}` : 'Run'));
  const model = createMemo(() => (details() ? canvasModel(details()!.definition) : { nodes: [], edges: [] }));
  const selected = replay.selected;
  const setSelected = replay.select;
  const navigate = useNavigate();
  // Viewers watch; editors and owners control runs and approve.
  const canControl = () => details()?.canControl ?? false;
  const nodeState = (id: string) => state().steps.get(id)?.status ?? (events().length ? 'pending' : undefined);

  const [controlError, setControlError] = createSignal('');
  const control = async (action: 'pauseExecution' | 'resumeExecution' | 'cancelExecution') => {
    setControlError('');
    try {
      const summary = await controlExecution(params.id, action);
      const current = execution();
      if (current) mutate({ ...current, ...summary } as Execution);
    } catch (e) {
      setControlError(describeError(e));
    }
  };

  return (
    <section class="run-page">
      <Show when={execution.error}>
        <p class="error page" role="alert">
          {describeError(execution.error)} <A href="/">Back to your workflows</A>
        </p>
      </Show>
      <Show when={execution()}>
        {(run) => (
          <>
            <header class="workflow-head">
              <h1>
                Run of <A href={`/workflows/${run().workflowId}`}>{details()?.name ?? 'workflow'}</A>
              </h1>
              <span class="run-status" role="status" aria-live="polite">
                <Show when={status()}>{(s) => <StatusBadge status={s()} />}</Show>
              </span>
              <span class="hint">
                v{run().versionNumber} · started {formatTime(run().startedAt)}
                <Show when={run().finishedAt}> · finished {formatTime(run().finishedAt)}</Show>
                {' · '}
                {live() === 'live' ? 'live' : live() === 'ended' ? 'all events received' : live() === 'retrying' ? 'reconnecting…' : 'connecting…'}
              </span>
              <div class="actions">
                <A href={`/workflows/${run().workflowId}/runs`}>All runs</A>
                <Show when={(status() === 'RUNNING' || status() === 'WAITING') && canControl()}>
                  <button type="button" onClick={() => control('pauseExecution')}>
                    Pause
                  </button>
                </Show>
                <Show when={status() === 'PAUSED' && canControl()}>
                  <button type="button" onClick={() => control('resumeExecution')}>
                    Resume
                  </button>
                </Show>
                <Show when={status() && !isFinalStatus(status()) && canControl()}>
                  <button type="button" class="danger" onClick={() => confirm('Cancel this run?') && control('cancelExecution')}>
                    Cancel run
                  </button>
                </Show>
              </div>
            </header>
            <ErrorText message={controlError()} />
            <Show when={streamError() && live() !== 'live'}>
              <p class="notice" role="status">
                {streamError()}
              </p>
            </Show>
            <div class="run-body">
              <div class="run-graph">
                <Show when={details()} fallback={<p aria-busy="true">Loading the graph…</p>}>
                  <ReplayViewer
                    view={replay}
                    executionId={run().id}
                    workflowId={run().workflowId}
                    workflowName={details()?.name ?? 'workflow'}
                    version={run().versionNumber ?? null}
                    definition={details()!.definition}
                    runError={latest().error ?? run().error ?? null}
                    canControl={canControl()}
                    onRetried={(id) => navigate(`/runs/${id}`)}
                  >
                    <Canvas
                      nodes={model().nodes}
                      edges={model().edges}
                      label="Run graph"
                      readOnly
                      states={nodeState}
                      selected={(id) => selected() === id}
                      onSelect={(ids) => setSelected(ids[0] ?? null)}
                    />
                  </ReplayViewer>
                </Show>
              </div>
              <div class="run-side">
                <Outcome />
                <RunLineagePanel
                  executionId={run().id}
                  workflowId={run().workflowId}
                  runVersion={run().versionNumber}
                  canRunAgain={canControl() && isFinalStatus(status())}
                  onStarted={(id) => navigate(`/runs/${id}`)}
                />
                <RunProgress executionId={run().id} events={events()} definition={details()?.definition} />
                <Show when={latest().waiting.length > 0 && status() === 'WAITING' && canControl()}>
                  <ApprovalPanel executionId={run().id} waiting={latest().waiting} />
                </Show>
                <Show when={selected()}>{(id) => replay.inspector(id)}</Show>
                <StepTable steps={[...state().steps.values()]} onPick={setSelected} />
                <Show when={status() && !isFinalStatus(status()) && canControl()}>
                  <SignalForm executionId={run().id} />
                </Show>
                <EventLog events={events()} position={replay.session.position()} onSeek={(position) => replay.seek(position)} />
              </div>
            </div>
          </>
        )}
      </Show>
    </section>
  );

  function Outcome() {
    const error = () => latest().error ?? execution()?.error ?? null;
    const result = () => (latest().finished ? latest().result : execution()?.result);
    return (
      <>
        <Show when={status() === 'COMPLETED'}>
          <div class="panel outcome ok">
            <h2>Result</h2>
            <pre class="code" data-testid="run-result">
              {pretty(result() ?? null)}
            </pre>
          </div>
        </Show>
        <Show when={status() === 'FAILED' && error()}>
          {(e) => (
            <div class="panel outcome failed" role="alert">
              <h2>Failed</h2>
              <Show when={e().nodeId}>
                <p>
                  At node{' '}
                  <button type="button" class="link" onClick={() => setSelected(e().nodeId!)}>
                    {e().nodeId}
                  </button>
                  <Show when={e().nodeType}> ({e().nodeType})</Show>
                </p>
              </Show>
              <p class="error-message">{e().cause?.message ?? e().message}</p>
              <Show when={e().cause?.message && e().message !== e().cause?.message}>
                <p class="hint">{e().message}</p>
              </Show>
            </div>
          )}
        </Show>
        <Show when={execution()?.parentExecutionId}>
          {(parent) => (
            <p>
              Started by the <A href={`/runs/${parent()}`}>parent run</A>
              <Show when={execution()?.parentNodeId}> (node {execution()!.parentNodeId})</Show>.
            </p>
          )}
        </Show>
        <Show when={(execution()?.children.length ?? 0) > 0}>
          <div class="panel">
            <h2>Sub-workflow runs</h2>
            <ul>
              <For each={execution()!.children}>
                {(child) => (
                  <li>
                    <A href={`/runs/${child.id}`}>{child.id.slice(0, 8)}</A> <StatusBadge status={child.status} />
                  </li>
                )}
              </For>
            </ul>
          </div>
        </Show>
      </>
    );
  }
}

function ApprovalPanel(props: { executionId: string; waiting: ReadonlyArray<{ nodeId: string; signal: string }> }) {
  return (
    <div class="panel approval" role="region" aria-label="Waiting for a signal">
      <h2>Waiting</h2>
      <For each={props.waiting}>{(w) => <ApprovalItem executionId={props.executionId} nodeId={w.nodeId} signal={w.signal} />}</For>
    </div>
  );
}

function ApprovalItem(props: { executionId: string; nodeId: string; signal: string }) {
  const [payload, setPayload] = createSignal('{ "approved": true }');
  const [error, setError] = createSignal('');
  const [sent, setSent] = createSignal(false);
  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    const parsed = parseJson(payload());
    if (!parsed.ok) return;
    setError('');
    try {
      await signalExecution(props.executionId, props.signal, parsed.value ?? null);
      setSent(true);
    } catch (e) {
      setError(describeError(e));
    }
  };
  return (
    <form onSubmit={send} class="stack">
      <p>
        Node <strong>{props.nodeId}</strong> waits for the signal <code>{props.signal}</code>.
      </p>
      <JsonInput id={`approve-${props.nodeId}`} label="Payload (JSON)" value={payload()} onInput={setPayload} rows={3} />
      <ErrorText message={error()} />
      <button type="submit" class="primary" disabled={!parseJson(payload()).ok || sent()}>
        Send "{props.signal}"
      </button>
    </form>
  );
}

function SignalForm(props: { executionId: string }) {
  const [name, setName] = createSignal('');
  const [payload, setPayload] = createSignal('{}');
  const [message, setMessage] = createSignal('');
  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    const parsed = parseJson(payload());
    if (!parsed.ok || !name().trim()) return;
    try {
      await signalExecution(props.executionId, name().trim(), parsed.value ?? null);
      setMessage(`Sent "${name().trim()}".`);
    } catch (e) {
      setMessage(describeError(e));
    }
  };
  return (
    <details class="panel">
      <summary>Send a signal</summary>
      <form onSubmit={send} class="stack">
        <label>
          Signal name
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        <JsonInput id="signal-payload" label="Payload (JSON)" value={payload()} onInput={setPayload} rows={3} />
        <button type="submit" disabled={!name().trim() || !parseJson(payload()).ok}>
          Send signal
        </button>
        <p role="status">{message()}</p>
      </form>
    </details>
  );
}

function StepTable(props: { steps: StepInfo[]; onPick: (id: string) => void }) {
  return (
    <Show when={props.steps.length > 0}>
      <div class="table-scroll">
        <table class="list steps">
          <caption>Steps</caption>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">State</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            <For each={props.steps}>
              {(step) => (
                <tr class={`state-${step.status}`}>
                  <td>
                    <button type="button" class="link" onClick={() => props.onPick(step.nodeId)}>
                      {step.nodeId}
                    </button>
                  </td>
                  <td>{step.status}</td>
                  <td>{formatDuration(step.durationMs)}</td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </Show>
  );
}

/** The last 300 events; the one at the replay cursor is marked, and each one moves the cursor there. */
function EventLog(props: { events: ExecutionEvent[]; position: number; onSeek: (position: number) => void }) {
  const offset = () => Math.max(0, props.events.length - 300);
  return (
    <details class="panel event-log" open>
      <summary>Event log ({props.events.length})</summary>
      {/* Scrolls when long: focusable so the keyboard can scroll it too. */}
      <ol tabindex="0" aria-label="Events">
        <For each={props.events.slice(-300)}>
          {(event, index) => (
            <li classList={{ 'at-cursor': offset() + index() + 1 === props.position }}>
              <button type="button" class="link seq" onClick={() => props.onSeek(offset() + index() + 1)} aria-label={`Replay to event ${event.sequence}`}>
                #{event.sequence}
              </button>{' '}
              <span class="etype">{event.type}</span>
              <Show when={event.nodeId}>
                {' '}
                <strong>{event.nodeId}</strong>
              </Show>{' '}
              <time class="hint">{new Date(event.at).toLocaleTimeString()}</time>
            </li>
          )}
        </For>
      </ol>
    </details>
  );
}
