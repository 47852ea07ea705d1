import { createMemo, createResource, For, Show } from 'solid-js';
import { compileExpression, type WorkflowDefinition } from '@tandem/schema';
import { formatDuration } from '../lib/format';
import type { ExecutionEvent } from '../lib/queries';
import { describeLoop, LoopProgressFold, scopeIsComplete, TemporalRunsFold, type LoopFold, type TemporalRunSegment } from './progress';
import './runs.css';

/** The length of each forEach loop's list, evaluated in the browser over what the events say the loop saw (best effort). */
async function loopTotals(fold: LoopFold, executionId: string): Promise<Map<string, number>> {
  const totals = new Map<string, number>();
  for (const [nodeId, { expression, scope }] of fold.scopes) {
    if (!scopeIsComplete(scope)) continue;
    try {
      const value = await compileExpression(expression).evaluate({ ...scope, loop: null, execution: { id: executionId } });
      if (Array.isArray(value)) totals.set(nodeId, value.length);
    } catch {
      // Unknown: the view says "iteration i" without "of n".
    }
  }
  return totals;
}

/**
 * Loop progress ("iteration i of n") and, once a loop continued as new, the chain of Temporal
 * runs as one timeline. Everything comes from the run's events and its version's definition.
 */
export function RunProgress(props: { executionId: string; events: readonly ExecutionEvent[]; definition: WorkflowDefinition | undefined }) {
  // Events only ever get appended: fold the new ones, not the whole log again on each event.
  let folds: {
    definition: WorkflowDefinition | undefined;
    first: ExecutionEvent | undefined;
    seen: number;
    loops: LoopProgressFold | null;
    runs: TemporalRunsFold;
  } | null = null;
  const folded = createMemo(() => {
    const events = props.events;
    if (!folds || folds.definition !== props.definition || folds.first !== events[0] || events.length < folds.seen) {
      folds = {
        definition: props.definition,
        first: events[0],
        seen: 0,
        loops: props.definition ? new LoopProgressFold(props.definition) : null,
        runs: new TemporalRunsFold(),
      };
    }
    for (let i = folds.seen; i < events.length; i++) {
      folds.loops?.push(events[i]!);
      folds.runs.push(events[i]!);
    }
    folds.seen = events.length;
    return { loops: folds.loops?.result() ?? ({ loops: [], scopes: new Map() } as LoopFold), runs: folds.runs.result() };
  });
  const fold = () => folded().loops;
  // Re-evaluate only when a loop starts afresh, not on every event.
  const scopeKey = createMemo(() => [...fold().scopes.entries()].map(([id, s]) => `${id}@${s.startSequence}`).join(','));
  const [totals] = createResource(
    () => scopeKey() || null,
    () => loopTotals(fold(), props.executionId),
  );
  const loops = () =>
    fold().loops.map((loop) => (loop.total === null && !loop.done && totals()?.has(loop.nodeId) ? { ...loop, total: totals()!.get(loop.nodeId)! } : loop));
  const segments = () => folded().runs;
  return (
    <>
      <Show when={loops().length > 0}>
        <section class="panel loop-progress" aria-label="Loops">
          <h2>Loops</h2>
          <ul>
            <For each={loops()}>
              {(loop) => (
                <li data-loop-id={loop.nodeId}>
                  <span>
                    <strong>{loop.name ?? loop.nodeId}</strong> <span class="hint">({loop.mode})</span>:{' '}
                    <span data-testid={`loop-${loop.nodeId}`}>{loop.failed ? `failed at ${describeLoop({ ...loop, done: false })}` : describeLoop(loop)}</span>
                  </span>
                  <Show when={loop.total !== null && loop.total > 0}>
                    <progress max={loop.total!} value={Math.min(loop.iteration, loop.total!)} aria-label={`Loop ${loop.name ?? loop.nodeId}`} />
                  </Show>
                  <Show when={loop.continuations > 0}>
                    <span class="hint">
                      continued as new {loop.continuations} time{loop.continuations === 1 ? '' : 's'}
                    </span>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        </section>
      </Show>
      <Show when={segments().length > 1}>
        <TemporalRunsTimeline segments={segments()} />
      </Show>
    </>
  );
}

function span(segment: TemporalRunSegment): number {
  const ms = new Date(segment.endedAt).getTime() - new Date(segment.startedAt).getTime();
  return Number.isFinite(ms) && ms > 0 ? ms : 0;
}

/** The Temporal runs of one execution, side by side in one bar (width by time), then listed. */
function TemporalRunsTimeline(props: { segments: TemporalRunSegment[] }) {
  const total = () => props.segments.reduce((sum, s) => sum + span(s), 0);
  // Each segment grows by its share of the time; a minimum width keeps short ones visible.
  const grow = (segment: TemporalRunSegment) => {
    const all = total();
    return String(all > 0 ? Math.max(0.02, span(segment) / all) : 1);
  };
  return (
    <section class="panel temporal-runs" aria-label="Temporal runs">
      <h2>Temporal runs</h2>
      <p class="hint">
        One execution, one event log: a loop moved it to a new Temporal run {props.segments.length - 1} time{props.segments.length === 2 ? '' : 's'}, so its
        history stays small.
      </p>
      <div class="timeline-bar" aria-hidden="true">
        <For each={props.segments}>
          {(segment) => (
            <div class={`timeline-segment end-${segment.end}`} style={{ 'flex-grow': grow(segment) }} title={`Run ${segment.index}`}>
              {segment.index}
            </div>
          )}
        </For>
      </div>
      <ol class="timeline-list">
        <For each={props.segments}>
          {(segment) => (
            <li>
              <strong>Run {segment.index}</strong>: events #{segment.firstSequence}–#{segment.lastSequence} ({segment.events}), {formatDuration(span(segment))}
              {' — '}
              {segment.end === 'continued'
                ? `continued as new${segment.loopNodeId ? ` at loop ${segment.loopNodeId}` : ''}${segment.iteration !== undefined ? `, after ${segment.iteration.toLocaleString('en')} iterations` : ''}`
                : segment.end === 'ended'
                  ? 'the execution ended here'
                  : 'current'}
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
