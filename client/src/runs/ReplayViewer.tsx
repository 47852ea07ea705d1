import { useSearchParams } from '@solidjs/router';
import { createEffect, createMemo, createSignal, For, on, onCleanup, Show, untrack, type Accessor, type JSX } from 'solid-js';
import type { RunError, RunState, WorkflowDefinition } from '@tandem/schema';
import type { ExecutionEvent } from '../lib/queries';
import { FOLLOWING, positionOfSequence } from './cursor';
import { ErrorOverlay } from './ErrorOverlay';
import { Inspector } from './Inspector';
import { PlaybackBar } from './PlaybackBar';
import { perFrame } from './per-frame';
import { createReplaySession, type ReplaySession } from './replay-session';
import { useRunPresence } from './run-presence';
import { actionFor, type ReplayAction } from './shortcuts';
import { Timeline, type TimelineApi } from './Timeline';
import { layoutTimeline } from './timeline-layout';
import { momentParams, parseMoment } from './url-state';
import './replay.css';

export interface ReplayViewOptions {
  executionId: Accessor<string>;
  workflowId: Accessor<string | undefined>;
  events: Accessor<ExecutionEvent[]>;
  streamEnded: Accessor<boolean>;
  definition: Accessor<WorkflowDefinition | undefined>;
}

/** The replay viewer's state for the run page: cursor, selection, link, peers, the failure overlay. */
export interface ReplayView {
  session: ReplaySession;
  latest: Accessor<RunState>;
  selected: Accessor<string | null>;
  select(nodeId: string | null): void;
  /** Moves the cursor (a person's own move: stops following someone). */
  seek(position: number): void;
  /** The inspector of the node `nodeId` names; it follows the accessor (one inspector as the selection changes). */
  inspector(nodeId: Accessor<string>): JSX.Element;
  /** @internal for ReplayViewer */
  internals: {
    events: Accessor<ExecutionEvent[]>;
    overlay: Accessor<string | null>;
    setOverlay(nodeId: string | null): void;
    notice: Accessor<string>;
    setNotice(text: string): void;
    peers: ReturnType<typeof useRunPresence>;
    followed: Accessor<number | null>;
    setFollowed(clientId: number | null): void;
    helpOpen: Accessor<boolean>;
    setHelpOpen(open: boolean): void;
    timeline: { api: TimelineApi | null };
    /** Does what a shortcut or a playback button asks. */
    act(action: ReplayAction): void;
  };
}

/** The node a failed run failed at: the run's error names it, else its last failed step. */
function failedNode(state: RunState, events: readonly ExecutionEvent[]): string | null {
  const named = (state.error as { nodeId?: unknown } | undefined)?.nodeId;
  if (typeof named === 'string') return named;
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === 'STEP_FAILED' && events[i]!.nodeId) return events[i]!.nodeId;
  return null;
}

export function useReplayView(options: ReplayViewOptions): ReplayView {
  const [search, setSearch] = useSearchParams<{ at?: string; node?: string }>();
  const events = perFrame(options.events);
  const link = parseMoment({ at: search.at, node: search.node });
  const session = createReplaySession(events, link.moment.at !== undefined ? { following: false, sequence: link.moment.at } : FOLLOWING);
  const [selected, setSelected] = createSignal<string | null>(link.moment.node ?? null);
  const [notice, setNotice] = createSignal(link.problem ?? '');
  const [overlay, setOverlay] = createSignal<string | null>(null);
  const [followed, setFollowed] = createSignal<number | null>(null);
  const [helpOpen, setHelpOpen] = createSignal(false);
  const timeline: { api: TimelineApi | null } = { api: null };

  // Debug together: share this cursor, see others', follow one.
  const peers = useRunPresence(options.workflowId, () => ({
    executionId: options.executionId(),
    sequence: session.following() ? -1 : session.sequence(),
    playing: session.playing(),
  }));
  createEffect(() => {
    const id = followed();
    if (id === null) return;
    const peer = peers().find((p) => p.clientId === id);
    if (!peer) return untrack(() => setFollowed(null));
    untrack(() => (peer.sequence < 0 ? session.live() : session.seekSequence(peer.sequence)));
  });
  const own = <T,>(move: () => T): T => {
    setFollowed(null);
    setNotice('');
    return move();
  };

  // The link holds the moment: ?at=<sequence>&node=<id> (replaced, not pushed, as the cursor moves).
  let linkTimer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on([session.following, session.sequence, selected], ([following, sequence, node]) => {
      clearTimeout(linkTimer);
      linkTimer = setTimeout(() => setSearch(momentParams({ ...(following ? {} : { at: sequence }), ...(node ? { node } : {}) }), { replace: true }), 250);
    }),
  );
  onCleanup(() => clearTimeout(linkTimer));

  // A failed run opens on the failure: the node selected, the overlay open, the cursor on it (unless the link says otherwise).
  let openedOnFailure = false;
  createEffect(() => {
    const latest = session.latest();
    if (openedOnFailure || latest.status !== 'FAILED') return;
    openedOnFailure = true;
    untrack(() => {
      const list = events();
      const nodeId = failedNode(latest, list);
      if (!nodeId) return;
      setSelected(nodeId);
      setOverlay(nodeId);
      if (link.moment.at === undefined) {
        let at = list.length;
        for (let i = list.length - 1; i >= 0; i--)
          if (list[i]!.type === 'STEP_FAILED' && list[i]!.nodeId === nodeId) {
            at = i + 1;
            break;
          }
        session.seek(at);
      }
    });
  });

  // The keyboard: one table of shortcuts (shortcuts.ts).
  const onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      if (helpOpen()) setHelpOpen(false);
      else if (overlay()) setOverlay(null);
      return;
    }
    const action = actionFor(event);
    if (!action) return;
    event.preventDefault();
    void run(action);
  };
  const run = (action: ReplayAction): unknown => {
    switch (action) {
      case 'play':
        return own(() => session.togglePlay());
      case 'back':
        return own(() => session.step(-1));
      case 'forward':
        return own(() => session.step(1));
      case 'start':
        return own(() => session.seek(0));
      case 'live':
        return own(() => session.live());
      case 'nextFailure':
        return nextFailure();
      case 'nextStep':
        return nextStep();
      case 'slower':
        return session.faster(-1);
      case 'faster':
        return session.faster(1);
      case 'zoomIn':
        return timeline.api?.zoomBy(0.5);
      case 'zoomOut':
        return timeline.api?.zoomBy(2);
      case 'fit':
        return timeline.api?.fit();
      case 'help':
        return setHelpOpen(!helpOpen());
    }
  };
  document.addEventListener('keydown', onKey);
  onCleanup(() => document.removeEventListener('keydown', onKey));
  const nextFailure = () => own(() => !session.nextFailure() && setNotice('No failure after this moment.'));
  const nextStep = () => {
    const node = selected();
    if (!node) return setNotice('Select a node first.');
    own(() => !session.nextStepOf(node) && setNotice(`No later step of ${node}.`));
  };
  const select = (nodeId: string | null) => setSelected(nodeId);

  return {
    session,
    latest: session.latest,
    selected,
    select,
    seek: (position) => own(() => session.seek(position)),
    inspector: (nodeId) => (
      <Inspector
        executionId={options.executionId()}
        nodeId={nodeId()}
        state={session.state()}
        previous={session.previous()}
        onShowFailure={(id) => setOverlay(id)}
      />
    ),
    internals: {
      events,
      overlay,
      setOverlay,
      notice,
      setNotice,
      peers,
      followed,
      setFollowed,
      helpOpen,
      setHelpOpen,
      timeline,
      act: (action) => void run(action),
    },
  };
}

export interface ReplayViewerProps {
  view: ReplayView;
  executionId: string;
  workflowId: string;
  workflowName: string;
  version: number | null;
  definition: WorkflowDefinition;
  runError: RunError | null;
  canControl: boolean;
  onRetried(executionId: string): void;
  /** The graph. */
  children: JSX.Element;
}

/** Under the graph: the playback bar, the timeline and who else is looking; over it, the failure overlay. */
export function ReplayViewer(props: ReplayViewerProps) {
  const view = props.view;
  const { session } = view;
  const i = view.internals;
  const layout = createMemo(() =>
    layoutTimeline(
      i.events(),
      props.definition.nodes.map((n) => n.id),
    ),
  );
  const moment = () => {
    const events = i.events();
    const at = session.position();
    const event = events[at - 1];
    const where = `event ${at} of ${events.length}`;
    const what = event ? `: #${event.sequence} ${event.type}${event.nodeId ? ` ${event.nodeId}` : ''}` : ': before the first event';
    return `${where}${what}${session.following() ? ' (live)' : ''}`;
  };
  const overlayStep = () => {
    const id = i.overlay();
    return id ? view.latest().steps.get(id) : undefined;
  };
  const completed = createMemo(() => new Set([...view.latest().steps.values()].filter((s) => s.status === 'succeeded').map((s) => s.nodeId)));
  const nodeIds = createMemo(() => new Set(props.definition.nodes.map((n) => n.id)));
  return (
    <>
      <div class="replay-graph">
        {props.children}
        <Show when={overlayStep()}>
          {(step) => (
            <ErrorOverlay
              executionId={props.executionId}
              workflowId={props.workflowId}
              workflowName={props.workflowName}
              version={props.version}
              step={step()}
              node={props.definition.nodes.find((n) => n.id === step().nodeId)}
              runError={props.runError}
              hints={{ completed: completed(), nodes: nodeIds() }}
              canRetry={props.canControl && view.latest().finished}
              onClose={() => i.setOverlay(null)}
              onRetried={props.onRetried}
            />
          )}
        </Show>
      </div>
      <div class="replay-controls">
        <PlaybackBar
          session={session}
          length={i.events().length}
          selected={view.selected()}
          moment={moment()}
          helpOpen={i.helpOpen()}
          onHelp={i.setHelpOpen}
          notice={i.notice()}
          act={i.act}
        />
        <Show when={i.peers().length > 0}>
          <ul class="replay-peers" aria-label="Also looking at this run">
            {/* One row per person, kept while they stay: their cursor moves update it in place, so the focused button keeps focus. */}
            <For each={i.peers().map((peer) => peer.clientId)}>
              {(clientId) => (
                <Show when={i.peers().find((peer) => peer.clientId === clientId)}>
                  {(peer) => (
                    <li>
                      <span class="peer-dot" style={{ background: peer().color }} aria-hidden="true" />
                      {peer().name}{' '}
                      <span class="hint">
                        {peer().sequence < 0 ? 'live' : `at #${peer().sequence}`}
                        {peer().playing ? ', playing' : ''}
                      </span>{' '}
                      <button type="button" aria-pressed={i.followed() === clientId} onClick={() => i.setFollowed(i.followed() === clientId ? null : clientId)}>
                        {i.followed() === clientId ? `Stop following ${peer().name}` : `Follow ${peer().name}`}
                      </button>
                    </li>
                  )}
                </Show>
              )}
            </For>
          </ul>
        </Show>
        <Timeline
          layout={layout()}
          position={session.position()}
          valueText={moment()}
          selected={view.selected()}
          peers={i.peers().map((peer) => ({
            name: peer.name,
            color: peer.color,
            position: peer.sequence < 0 ? i.events().length : positionOfSequence(i.events(), peer.sequence),
          }))}
          onSeek={(position) => view.seek(position)}
          onSelectNode={(nodeId) => view.select(nodeId)}
          ref={(api) => (i.timeline.api = api)}
        />
      </div>
    </>
  );
}
