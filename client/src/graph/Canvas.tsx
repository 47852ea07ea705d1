import { createMemo, createSignal, For, onCleanup, onMount, Show, type JSX } from 'solid-js';
import {
  boundsOf,
  edgePath,
  fitViewport,
  handleOffset,
  nodeHeight,
  NODE_WIDTH,
  type CanvasEdge,
  type CanvasNode,
  type NodeGhost,
  type NodeState,
  type Viewport,
} from './model';
import type { ChangeKind, NodeMark } from '@tandem/schema';
import { idsInside, IDLE, step, withDragOrigins, type GestureInput, type GestureState, type Point } from './gestures';

export interface RemoteCursor {
  id: number;
  name: string;
  color: string;
  x: number;
  y: number;
}

export interface CanvasApi {
  fit(): void;
  viewport(): Viewport;
  setViewport(viewport: Viewport): void;
  /** The graph point at the middle of the visible area (where new nodes go). */
  center(): Point;
}

export interface CanvasProps {
  nodes: readonly CanvasNode[];
  edges: readonly CanvasEdge[];
  label: string;
  readOnly?: boolean;
  states?: (id: string) => NodeState | undefined;
  nodeProblems?: (id: string) => readonly string[];
  edgeProblems?: (id: string) => readonly string[];
  selected?: (id: string) => boolean;
  selectedEdge?: string | null;
  onSelect?: (ids: string[], additive: boolean) => void;
  onSelectEdge?: (id: string) => void;
  onDragging?: (positions: Map<string, Point> | null) => void;
  onMoveEnd?: (positions: Map<string, Point>) => void;
  onConnect?: (source: string, sourceHandle: string | undefined, target: string) => void;
  /** Positions others are dragging right now (awareness). */
  remoteDrags?: () => ReadonlyMap<string, Point>;
  /** Colours of others' selections by node id. */
  remoteSelections?: (id: string) => string | undefined;
  remoteCursors?: () => readonly RemoteCursor[];
  onCursor?: (point: Point | null) => void;
  ref?: (api: CanvasApi) => void;
  /** A node type dropped from the palette (HTML drag and drop), at a graph point. */
  onDropType?: (type: string, point: Point) => void;
  /** How a comparison marks each node (added, removed, changed, renamed, moved); nothing when unchanged. */
  marks?: (id: string) => NodeMark | undefined;
  /** How a comparison marks each edge. */
  edgeMarks?: (id: string) => ChangeKind | undefined;
  /** Where moved nodes were before (a comparison): dashed outlines joined to where they are now. */
  ghosts?: readonly NodeGhost[];
  /** A picture only (previews): nodes are not focusable controls. */
  preview?: boolean;
  children?: JSX.Element;
}

/** The drag-and-drop type of a palette item. */
export const NODE_TYPE_MIME = 'application/x-tandem-node-type';

const STATE_TEXT: Record<NodeState, string> = {
  pending: 'pending',
  running: 'running…',
  waiting: 'waiting',
  succeeded: '✓ succeeded',
  failed: '✗ failed',
  skipped: 'skipped',
};

/**
 * A node's accessible name: what it shows first (its name, then its type or its state in a run, and
 * its output handles: a voice user says what they see), then its type in a run or "not run" in the
 * editor, its id, problems and comparison mark. A screen reader hears name, type and state.
 */
function nodeName(
  node: { id: string; type: string; handles: string[] },
  title: string,
  state: NodeState | undefined,
  problems: number,
  mark: string | undefined,
): string {
  const parts = [`${title} ${state ? STATE_TEXT[state] : node.type}${node.handles.length ? ` ${node.handles.join(' ')}` : ''}`, state ? node.type : 'not run'];
  if (title !== node.id) parts.push(`id ${node.id}`);
  if (problems) parts.push(`${problems} problem(s)`);
  if (mark) parts.push(mark);
  return parts.join(', ');
}

/** A focused SVG graph canvas: pan, zoom, drag, connect, select; used read-only in the run view. */
export function Canvas(props: CanvasProps) {
  let container!: HTMLDivElement;
  let svg!: SVGSVGElement;
  const [size, setSize] = createSignal({ width: 800, height: 600 });
  const [viewport, setViewport] = createSignal<Viewport>({ x: 40, y: 40, zoom: 1 });
  // Pointer gestures (pure state machine in gestures.ts): one at a time, tracked on the svg with pointer capture.
  const [gesture, setGesture] = createSignal<GestureState>(IDLE);
  const drag = createMemo(() => {
    const pointer = gesture().pointer;
    return pointer?.kind === 'drag' ? pointer.positions : null;
  });
  const connecting = createMemo(() => gesture().connection);
  const marquee = createMemo(() => {
    const pointer = gesture().pointer;
    return pointer?.kind === 'marquee' ? { from: pointer.from, to: pointer.to } : null;
  });

  const byId = createMemo(() => {
    const map = new Map<string, CanvasNode>();
    for (const node of props.nodes) map.set(node.id, node);
    return map;
  });

  const position = (node: CanvasNode): Point => drag()?.get(node.id) ?? props.remoteDrags?.().get(node.id) ?? { x: node.x, y: node.y };

  const toGraph = (event: { clientX: number; clientY: number }): Point => {
    const rect = svg.getBoundingClientRect();
    const v = viewport();
    return { x: (event.clientX - rect.left - v.x) / v.zoom, y: (event.clientY - rect.top - v.y) / v.zoom };
  };

  const fit = () => {
    const s = size();
    setViewport(fitViewport(boundsOf(props.nodes), s.width, s.height));
  };

  onMount(() => {
    const observer = new ResizeObserver(() => {
      setSize({ width: container.clientWidth, height: container.clientHeight });
    });
    observer.observe(container);
    setSize({ width: container.clientWidth || 800, height: container.clientHeight || 600 });
    fit();
    onCleanup(() => observer.disconnect());
    props.ref?.({
      fit,
      viewport,
      setViewport,
      center: () => {
        const v = viewport();
        const s = size();
        return { x: (s.width / 2 - v.x) / v.zoom, y: (s.height / 2 - v.y) / v.zoom };
      },
    });
  });

  /** Runs one input through the gesture machine and carries out its effects, in order. */
  const dispatch = (input: GestureInput, event?: PointerEvent) => {
    const next = step(gesture(), input, { readOnly: props.readOnly ?? false });
    let state = next.state;
    setGesture(state);
    for (const effect of next.effects) {
      switch (effect.type) {
        case 'capture':
          if (event) svg.setPointerCapture?.(event.pointerId);
          break;
        case 'prevent-default':
          event?.preventDefault();
          break;
        case 'select':
          props.onSelect?.(effect.ids, effect.additive);
          break;
        case 'begin-drag': {
          // The nodes that move: the pressed one and the selection, as it is after the press.
          const origins = new Map<string, Point>();
          for (const other of props.nodes) if (other.id === effect.nodeId || props.selected?.(other.id)) origins.set(other.id, position(other));
          state = withDragOrigins(state, origins);
          setGesture(state);
          break;
        }
        case 'viewport':
          setViewport(effect.viewport);
          break;
        case 'dragging':
          props.onDragging?.(effect.positions === null ? null : new Map(effect.positions));
          break;
        case 'move-end':
          props.onMoveEnd?.(new Map(effect.positions));
          break;
        case 'connect':
          props.onConnect?.(effect.source, effect.handle, effect.target);
          break;
        case 'select-area':
          props.onSelect?.(
            idsInside(
              props.nodes.map((n) => ({ id: n.id, ...position(n), width: NODE_WIDTH, height: nodeHeight(n) })),
              effect.area,
            ),
            true,
          );
          break;
      }
    }
  };

  const clientPoint = (event: PointerEvent): Point => ({ x: event.clientX, y: event.clientY });

  const onBackgroundDown = (event: PointerEvent) =>
    dispatch(
      { type: 'background-down', button: event.button, shift: event.shiftKey, client: clientPoint(event), graph: toGraph(event), viewport: viewport() },
      event,
    );

  const onNodeDown = (event: PointerEvent, node: CanvasNode) => {
    if (event.button !== 0) return;
    event.stopPropagation();
    dispatch(
      {
        type: 'node-down',
        button: 0,
        nodeId: node.id,
        additive: event.shiftKey || event.metaKey || event.ctrlKey,
        selected: props.selected?.(node.id) ?? false,
        graph: toGraph(event),
      },
      event,
    );
  };

  const onHandleDown = (event: PointerEvent, node: CanvasNode, handle: string | undefined) => {
    if (event.button !== 0 || props.readOnly) return;
    event.stopPropagation();
    const offset = handleOffset(node, handle);
    const p = position(node);
    dispatch({ type: 'handle-down', button: 0, nodeId: node.id, handle, from: { x: p.x + offset.x, y: p.y + offset.y }, graph: toGraph(event) }, event);
  };

  const onMove = (event: PointerEvent) => {
    props.onCursor?.(toGraph(event));
    dispatch({ type: 'move', client: clientPoint(event), graph: toGraph(event) }, event);
  };

  const onUp = (event: PointerEvent) =>
    dispatch(
      {
        type: 'up',
        nodeAt: () => document.elementFromPoint(event.clientX, event.clientY)?.closest('[data-node-id]')?.getAttribute('data-node-id') ?? null,
      },
      event,
    );

  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const rect = svg.getBoundingClientRect();
    const v = viewport();
    const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
    const zoom = Math.min(3, Math.max(0.05, v.zoom * factor));
    const cx = event.clientX - rect.left;
    const cy = event.clientY - rect.top;
    setViewport({ zoom, x: cx - ((cx - v.x) * zoom) / v.zoom, y: cy - ((cy - v.y) * zoom) / v.zoom });
  };

  const zoomBy = (factor: number) => {
    const v = viewport();
    const s = size();
    const zoom = Math.min(3, Math.max(0.05, v.zoom * factor));
    setViewport({ zoom, x: s.width / 2 - ((s.width / 2 - v.x) * zoom) / v.zoom, y: s.height / 2 - ((s.height / 2 - v.y) * zoom) / v.zoom });
  };

  return (
    <div
      class="canvas"
      ref={container}
      onKeyDown={(event) => {
        if (event.key === 'Escape') dispatch({ type: 'escape' });
      }}
      onDragOver={(event) => {
        if (props.onDropType && !props.readOnly && event.dataTransfer?.types.includes(NODE_TYPE_MIME)) {
          event.preventDefault();
          event.dataTransfer.dropEffect = 'copy';
        }
      }}
      onDrop={(event) => {
        const type = event.dataTransfer?.getData(NODE_TYPE_MIME);
        if (!type || !props.onDropType || props.readOnly) return;
        event.preventDefault();
        const p = toGraph(event);
        props.onDropType(type, { x: p.x - NODE_WIDTH / 2, y: p.y - 28 });
      }}
    >
      <svg
        ref={svg}
        class="canvas-svg"
        classList={{ connecting: connecting() !== null }}
        role={props.preview ? 'img' : 'group'}
        aria-label={props.label}
        onPointerDown={onBackgroundDown}
        onPointerMove={onMove}
        onPointerUp={onUp}
        onPointerLeave={() => props.onCursor?.(null)}
        onWheel={onWheel}
      >
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M0,0 L10,5 L0,10 z" fill="#5b6472" />
          </marker>
        </defs>
        <g transform={`translate(${viewport().x},${viewport().y}) scale(${viewport().zoom})`}>
          <For each={props.edges}>
            {(edge) => {
              const geometry = createMemo(() => {
                const source = byId().get(edge.source);
                const target = byId().get(edge.target);
                if (!source || !target) return null;
                const s = position(source);
                const t = position(target);
                const offset = handleOffset(source, edge.sourceHandle);
                return { from: { x: s.x + offset.x, y: s.y + offset.y }, to: { x: t.x, y: t.y + nodeHeight(target) / 2 } };
              });
              const problems = () => props.edgeProblems?.(edge.id) ?? [];
              const mark = () => props.edgeMarks?.(edge.id);
              return (
                <Show when={geometry()}>
                  {(g) => (
                    <g
                      class={`edge${mark() ? ` diff-${mark()}` : ''}`}
                      classList={{ invalid: problems().length > 0, selected: props.selectedEdge === edge.id }}
                      data-edge-id={edge.id}
                      data-diff={mark()}
                      tabindex={props.onSelectEdge ? 0 : undefined}
                      role={props.onSelectEdge ? 'button' : 'img'}
                      aria-label={`Edge from ${edge.source}${edge.sourceHandle ? ` (${edge.sourceHandle})` : ''} to ${edge.target}${problems().length ? `, ${problems().length} problem(s)` : ''}`}
                      aria-pressed={props.onSelectEdge ? props.selectedEdge === edge.id : undefined}
                      onPointerDown={(event) => {
                        event.stopPropagation();
                        props.onSelectEdge?.(edge.id);
                      }}
                      onKeyDown={(event) => {
                        // Enter or Space selects the edge from the keyboard (Delete then removes it).
                        if (event.key === 'Enter' || event.key === ' ') {
                          event.preventDefault();
                          props.onSelectEdge?.(edge.id);
                        }
                      }}
                    >
                      <path class="edge-hit" d={edgePath(g().from, g().to)} />
                      <path class="edge-line" d={edgePath(g().from, g().to)} marker-end="url(#arrow)" />
                      <Show when={problems().length > 0}>
                        <title>{problems().join('\n')}</title>
                      </Show>
                    </g>
                  )}
                </Show>
              );
            }}
          </For>
          <For each={props.ghosts ?? []}>
            {(ghost) => (
              <Show when={byId().get(ghost.id)}>
                {(node) => (
                  <g class="node-ghost" data-ghost-of={ghost.id} aria-hidden="true">
                    <rect x={ghost.x} y={ghost.y} width={NODE_WIDTH} height={nodeHeight(node())} rx={6} />
                    <line
                      x1={ghost.x + NODE_WIDTH / 2}
                      y1={ghost.y + nodeHeight(node()) / 2}
                      x2={position(node()).x + NODE_WIDTH / 2}
                      y2={position(node()).y + nodeHeight(node()) / 2}
                    />
                  </g>
                )}
              </Show>
            )}
          </For>
          <For each={props.nodes}>
            {(node) => {
              const p = () => position(node);
              const height = () => nodeHeight(node);
              const state = () => props.states?.(node.id);
              const problems = () => props.nodeProblems?.(node.id) ?? [];
              const title = () => node.name || node.id;
              const remote = () => props.remoteSelections?.(node.id);
              const shownTitle = () => (title().length > 22 ? `${title().slice(0, 21)}…` : title());
              const mark = () => props.marks?.(node.id);
              return (
                <g
                  class={`node state-${state() ?? 'none'}${mark() ? ` diff-${mark()}` : ''}`}
                  data-diff={mark()}
                  classList={{ selected: props.selected?.(node.id) ?? false, invalid: problems().length > 0 }}
                  data-node-id={node.id}
                  data-state={state()}
                  transform={`translate(${p().x},${p().y})`}
                  tabindex={props.preview ? undefined : 0}
                  role={props.preview ? undefined : 'button'}
                  aria-label={props.preview ? undefined : nodeName(node, shownTitle(), state(), problems().length, mark())}
                  aria-pressed={props.preview ? undefined : (props.selected?.(node.id) ?? false)}
                  onPointerDown={(event) => onNodeDown(event, node)}
                  onKeyDown={(event) => {
                    if (event.key === 'Enter' || event.key === ' ') {
                      event.preventDefault();
                      props.onSelect?.([node.id], event.shiftKey);
                    }
                  }}
                >
                  <Show when={remote()}>
                    {(color) => <rect class="remote-selection" x={-5} y={-5} width={NODE_WIDTH + 10} height={height() + 10} rx={10} stroke={color()} />}
                  </Show>
                  <rect class="node-box" width={NODE_WIDTH} height={height()} rx={6} />
                  <text>
                    <tspan class="node-title" x={12} y={22}>
                      {shownTitle()}
                    </tspan>{' '}
                    <tspan class="node-type" x={12} y={40}>
                      {state() ? STATE_TEXT[state()!] : node.type}
                    </tspan>
                    <For each={node.handles}>
                      {(handle) => (
                        <>
                          {' '}
                          <tspan class="handle-label" x={NODE_WIDTH - 10} y={handleOffset(node, handle).y + 4} text-anchor="end">
                            {handle}
                          </tspan>
                        </>
                      )}
                    </For>
                  </text>
                  <Show when={problems().length > 0}>
                    <g class="node-problem-badge" transform={`translate(${NODE_WIDTH - 14},0)`} aria-hidden="true">
                      <circle r={9} />
                      <text y={4} text-anchor="middle">
                        !
                      </text>
                    </g>
                  </Show>
                  <Show when={!node.trigger && !props.readOnly}>
                    <circle class="handle handle-in" cx={0} cy={height() / 2} r={6} aria-hidden="true" />
                  </Show>
                  <Show
                    when={node.handles.length > 0 || props.readOnly}
                    fallback={
                      <circle
                        class="handle handle-out"
                        data-handle=""
                        cx={NODE_WIDTH}
                        cy={height() / 2}
                        r={7}
                        onPointerDown={(event) => onHandleDown(event, node, undefined)}
                        aria-hidden="true"
                      />
                    }
                  >
                    <For each={node.handles}>
                      {(handle) => {
                        const offset = () => handleOffset(node, handle);
                        return (
                          <g class="branch-handle">
                            <circle
                              class="handle handle-out"
                              classList={{ hidden: props.readOnly === true }}
                              data-handle={handle}
                              cx={NODE_WIDTH}
                              cy={offset().y}
                              r={7}
                              onPointerDown={(event) => onHandleDown(event, node, handle)}
                              aria-hidden="true"
                            />
                          </g>
                        );
                      }}
                    </For>
                  </Show>
                </g>
              );
            }}
          </For>
          <Show when={connecting()}>{(c) => <path class="edge-draft" d={edgePath(c().from, c().to)} />}</Show>
          <Show when={marquee()}>
            {(m) => (
              <rect
                class="marquee"
                x={Math.min(m().from.x, m().to.x)}
                y={Math.min(m().from.y, m().to.y)}
                width={Math.abs(m().to.x - m().from.x)}
                height={Math.abs(m().to.y - m().from.y)}
              />
            )}
          </Show>
          <For each={props.remoteCursors?.() ?? []}>
            {(cursor) => (
              <g class="remote-cursor" transform={`translate(${cursor.x},${cursor.y})`} pointer-events="none">
                <path d="M0,0 L0,16 L4,12 L8,20 L10,19 L6,11 L12,11 z" fill={cursor.color} stroke="#fff" />
                <text x={14} y={22} fill={cursor.color}>
                  {cursor.name}
                </text>
              </g>
            )}
          </For>
        </g>
      </svg>
      <div class="canvas-controls" role="toolbar" aria-label="View">
        <button type="button" onClick={() => zoomBy(1.25)} aria-label="Zoom in" title="Zoom in (+)">
          +
        </button>
        <button type="button" onClick={() => zoomBy(0.8)} aria-label="Zoom out" title="Zoom out (-)">
          −
        </button>
        <button type="button" onClick={fit} aria-label="Fit to view" title="Fit to view (F)">
          ⤢
        </button>
      </div>
      <Show when={connecting() && !gesture().pointer}>
        <p class="canvas-hint" role="status">
          Click the node to connect to, or press Escape.
        </p>
      </Show>
      {props.children}
    </div>
  );
}
