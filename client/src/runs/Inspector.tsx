import { createMemo, createResource, Show } from 'solid-js';
import type { RunState, StepRun } from '@tandem/schema';
import { formatDuration, formatTime } from '../lib/format';
import { JsonTree } from './JsonTree';
import { changedPaths } from './json-paths';
import { stepDetails } from './step-details';
import { CauseChain } from './CauseChain';

export interface InspectorProps {
  executionId: string;
  nodeId: string;
  state: RunState;
  /** The state one event earlier: what changed since is marked. */
  previous: RunState;
  onShowFailure(nodeId: string): void;
}

/**
 * The selected node at the cursor: its state, and its input, output, error and the run's `vars`
 * at that moment as JSON trees, with what changed since the previous event marked. Full values
 * come from the server when it has them (step-details.ts), else the events' copies.
 */
export function Inspector(props: InspectorProps) {
  const node = () => props.state.steps.get(props.nodeId);
  const run = (): StepRun | undefined => node()?.runs.at(-1);
  const before = () => props.previous.steps.get(props.nodeId)?.runs.at(-1);
  // Fetched once per run of the node that the cursor reaches (not on every scrub step).
  const key = createMemo(
    () => {
      const r = run();
      return r && r.endSequence !== undefined ? { nodeId: props.nodeId, run: r } : null;
    },
    null,
    { equals: (a, b) => a?.nodeId === b?.nodeId && a?.run.index === b?.run.index && a?.run.endSequence === b?.run.endSequence },
  );
  const [details] = createResource(key, ({ nodeId, run: r }) => stepDetails(props.executionId, nodeId, r));
  const full = () => (details.state === 'ready' && details()!.source === 'server' ? details() : undefined);
  const input = () => (full()?.input !== undefined ? full()!.input : run()?.input);
  const output = () => (run()?.output !== undefined && full()?.output !== undefined ? full()!.output : run()?.output);
  const sameRun = () => before()?.index === run()?.index;
  const changed = (root: string, now: unknown, then: unknown) => changedPaths(then, now, root);
  return (
    <section class="panel replay-inspector" role="region" aria-label={`Inspector: ${props.nodeId}`}>
      <h2>
        {props.nodeId}
        <Show when={node()?.type}>
          {' '}
          <span class="hint">({node()!.type})</span>
        </Show>
      </h2>
      <Show when={run()} fallback={<p class="hint">This node has not started at this moment.</p>}>
        {(r) => (
          <>
            <p data-testid="inspector-state">
              <span class={`state-chip state-${r().status}`}>{r().status}</span>
              <Show when={(node()?.runs.length ?? 0) > 1}>
                {' '}
                · run {r().index + 1} of {node()!.runs.length} so far
              </Show>
              <Show when={r().startedAt}> · started {formatTime(r().startedAt)}</Show>
              <Show when={r().durationMs !== undefined}> · took {formatDuration(r().durationMs)}</Show>
              <Show when={r().attempts.length > 0}>
                {' '}
                · {r().attempts.length} failed attempt{r().attempts.length === 1 ? '' : 's'}
              </Show>
            </p>
            <Show when={full()}>
              <p class="hint">Full values from the server.</p>
            </Show>
            <Show when={full()?.reused}>
              <p data-testid="inspector-reused">Reused from the run this one retries: its recorded output, not executed again.</p>
            </Show>
            <Show when={r().error}>
              {(error) => (
                <div class="inspector-error" role="group" aria-label="Error">
                  <h3>Error</h3>
                  <CauseChain error={error()} />
                  <Show when={r().status === 'failed'}>
                    <button type="button" onClick={() => props.onShowFailure(props.nodeId)}>
                      Explain this failure
                    </button>
                  </Show>
                </div>
              )}
            </Show>
            <h3>Input</h3>
            <JsonTree label="Input" root="input" value={input()} changed={changed('input', r().input, sameRun() ? before()?.input : undefined)} />
            <h3>Output</h3>
            <Show when={r().output !== undefined} fallback={<p class="hint">No output at this moment.</p>}>
              <JsonTree label="Output" root="output" value={output()} changed={changed('output', r().output, sameRun() ? before()?.output : undefined)} />
            </Show>
          </>
        )}
      </Show>
      <h3>
        Variables <span class="hint">(vars at this moment)</span>
      </h3>
      <Show when={Object.keys(props.state.vars).length > 0} fallback={<p class="hint">No variables set yet.</p>}>
        <JsonTree label="Variables" root="vars" value={props.state.vars} changed={changed('vars', props.state.vars, props.previous.vars)} />
      </Show>
      <Show when={props.state.varsIncomplete}>
        <p class="hint">A value was too large for the event log: some variables may be missing here.</p>
      </Show>
    </section>
  );
}
