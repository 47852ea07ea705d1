import type { Viewport } from './model';

/**
 * The canvas's pointer gestures as a pure state machine: `step(state, input, env)` returns the
 * next state and the effects the canvas carries out, in order. No DOM here: the canvas turns
 * pointer events into inputs (in screen and graph coordinates) and effects into calls.
 *
 *   idle ──background down──▶ pan (or, with Shift, marquee) ──up──▶ idle
 *   idle ──node down──▶ drag (moves once past 3 px) ──up──▶ idle (move-end when moved)
 *   idle ──handle down──▶ connect ──up after moving──▶ idle (connect when over another node)
 *                                 ──up without moving──▶ a pending connection that follows the
 *                                   pointer until a node is clicked (connect), or the background
 *                                   is clicked or Escape pressed (cancelled)
 *   the middle button pans from anywhere
 */

export type Point = { x: number; y: number };

/** What the held pointer is doing. */
export type PointerGesture =
  | { kind: 'pan'; start: Point; origin: Viewport }
  | { kind: 'drag'; start: Point; origins: ReadonlyMap<string, Point>; moved: boolean; positions: ReadonlyMap<string, Point> | null }
  | { kind: 'connect'; moved: boolean }
  | { kind: 'marquee'; from: Point; to: Point };

/** A connection being drawn from a node's output handle. */
export interface PendingConnection {
  source: string;
  handle: string | undefined;
  from: Point;
  to: Point;
}

export interface GestureState {
  pointer: PointerGesture | null;
  connection: PendingConnection | null;
}

export const IDLE: GestureState = { pointer: null, connection: null };

export type GestureInput =
  /** A button pressed on the background (`client`: screen point, for panning; `graph`: graph point). */
  | { type: 'background-down'; button: number; shift: boolean; client: Point; graph: Point; viewport: Viewport }
  /** A button pressed on a node; `selected`: whether it was selected before. */
  | { type: 'node-down'; button: number; nodeId: string; additive: boolean; selected: boolean; graph: Point }
  /** A button pressed on an output handle; `from`: where the handle is, in the graph. */
  | { type: 'handle-down'; button: number; nodeId: string; handle: string | undefined; from: Point; graph: Point }
  | { type: 'move'; client: Point; graph: Point }
  /** The button released; `nodeAt` names the node under the pointer (asked only when a connection is dropped). */
  | { type: 'up'; nodeAt: () => string | null }
  | { type: 'escape' };

export type GestureEffect =
  /** Capture the pointer on the canvas. */
  | { type: 'capture' }
  | { type: 'prevent-default' }
  | { type: 'select'; ids: string[]; additive: boolean }
  /** A node drag starts from `start`: the canvas answers with `withDragOrigins` (the nodes that move, as selected now). */
  | { type: 'begin-drag'; nodeId: string }
  | { type: 'viewport'; viewport: Viewport }
  /** Positions while dragging (null: the drag ended). */
  | { type: 'dragging'; positions: ReadonlyMap<string, Point> | null }
  | { type: 'move-end'; positions: ReadonlyMap<string, Point> }
  | { type: 'connect'; source: string; handle: string | undefined; target: string }
  /** Select (adding to the selection) the nodes wholly inside this rectangle of the graph. */
  | { type: 'select-area'; area: Area };

export interface Area {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface GestureEnv {
  readOnly: boolean;
}

export interface Step {
  state: GestureState;
  effects: GestureEffect[];
}

/** A press travels this far (graph units) before it drags a node… */
export const DRAG_THRESHOLD = 3;
/** …and this far before a press on a handle is a drag-to-connect rather than a click. */
export const CONNECT_THRESHOLD = 8;

export function step(state: GestureState, input: GestureInput, env: GestureEnv): Step {
  switch (input.type) {
    case 'background-down': {
      if (input.button === 1) {
        // The middle button pans from anywhere, nodes included.
        return {
          state: { ...state, pointer: { kind: 'pan', start: input.client, origin: input.viewport } },
          effects: [{ type: 'prevent-default' }, { type: 'capture' }],
        };
      }
      if (input.button !== 0) return { state, effects: [] };
      if (state.connection) return { state: { ...state, connection: null }, effects: [] };
      if (input.shift && !env.readOnly) {
        return { state: { ...state, pointer: { kind: 'marquee', from: input.graph, to: input.graph } }, effects: [{ type: 'capture' }] };
      }
      const pan: GestureState = { ...state, pointer: { kind: 'pan', start: input.client, origin: input.viewport } };
      return { state: pan, effects: input.shift ? [{ type: 'capture' }] : [{ type: 'capture' }, { type: 'select', ids: [], additive: false }] };
    }
    case 'node-down': {
      if (input.button !== 0) return { state, effects: [] };
      const pending = state.connection;
      if (pending) {
        const effects: GestureEffect[] =
          pending.source !== input.nodeId ? [{ type: 'connect', source: pending.source, handle: pending.handle, target: input.nodeId }] : [];
        return { state: { ...state, connection: null }, effects };
      }
      const effects: GestureEffect[] = !input.selected || input.additive ? [{ type: 'select', ids: [input.nodeId], additive: input.additive }] : [];
      if (env.readOnly) return { state, effects };
      return {
        state: { ...state, pointer: { kind: 'drag', start: input.graph, origins: new Map(), moved: false, positions: null } },
        effects: [...effects, { type: 'capture' }, { type: 'begin-drag', nodeId: input.nodeId }],
      };
    }
    case 'handle-down': {
      if (input.button !== 0 || env.readOnly) return { state, effects: [] };
      return {
        state: { pointer: { kind: 'connect', moved: false }, connection: { source: input.nodeId, handle: input.handle, from: input.from, to: input.graph } },
        effects: [{ type: 'capture' }],
      };
    }
    case 'move':
      return move(state, input.client, input.graph);
    case 'up':
      return up(state, input.nodeAt);
    case 'escape':
      return state.connection ? { state: { ...state, connection: null }, effects: [] } : { state, effects: [] };
  }
}

/** The nodes that move with a drag (the pressed one and the selection, at their positions when it started). */
export function withDragOrigins(state: GestureState, origins: ReadonlyMap<string, Point>): GestureState {
  return state.pointer?.kind === 'drag' ? { ...state, pointer: { ...state.pointer, origins } } : state;
}

function move(state: GestureState, client: Point, graph: Point): Step {
  const g = state.pointer;
  if (!g) {
    // A pending connection follows the pointer.
    return state.connection ? { state: { ...state, connection: { ...state.connection, to: graph } }, effects: [] } : { state, effects: [] };
  }
  switch (g.kind) {
    case 'pan':
      return { state, effects: [{ type: 'viewport', viewport: { ...g.origin, x: g.origin.x + client.x - g.start.x, y: g.origin.y + client.y - g.start.y } }] };
    case 'drag': {
      const dx = graph.x - g.start.x;
      const dy = graph.y - g.start.y;
      if (!g.moved && Math.hypot(dx, dy) < DRAG_THRESHOLD) return { state, effects: [] };
      const positions = new Map<string, Point>();
      for (const [id, origin] of g.origins) positions.set(id, { x: Math.round(origin.x + dx), y: Math.round(origin.y + dy) });
      return { state: { ...state, pointer: { ...g, moved: true, positions } }, effects: [{ type: 'dragging', positions }] };
    }
    case 'connect': {
      const pending = state.connection;
      if (!pending) return { state, effects: [] };
      const moved = g.moved || Math.hypot(graph.x - pending.from.x, graph.y - pending.from.y) > CONNECT_THRESHOLD;
      return { state: { pointer: moved === g.moved ? g : { ...g, moved }, connection: { ...pending, to: graph } }, effects: [] };
    }
    case 'marquee':
      return { state: { ...state, pointer: { ...g, to: graph } }, effects: [] };
  }
}

function up(state: GestureState, nodeAt: () => string | null): Step {
  const g = state.pointer;
  if (!g) return { state, effects: [] };
  const released: GestureState = { ...state, pointer: null };
  switch (g.kind) {
    case 'pan':
      return { state: released, effects: [] };
    case 'drag': {
      const effects: GestureEffect[] = g.moved && g.positions ? [{ type: 'move-end', positions: g.positions }] : [];
      return { state: released, effects: [...effects, { type: 'dragging', positions: null }] };
    }
    case 'connect': {
      const pending = state.connection;
      // Released where it was pressed: a click on a handle, and the next click on a node connects.
      if (!pending || !g.moved) return { state: released, effects: [] };
      const target = nodeAt();
      const effects: GestureEffect[] = target && target !== pending.source ? [{ type: 'connect', source: pending.source, handle: pending.handle, target }] : [];
      return { state: { pointer: null, connection: null }, effects };
    }
    case 'marquee':
      return {
        state: released,
        effects: [
          {
            type: 'select-area',
            area: { x1: Math.min(g.from.x, g.to.x), y1: Math.min(g.from.y, g.to.y), x2: Math.max(g.from.x, g.to.x), y2: Math.max(g.from.y, g.to.y) },
          },
        ],
      };
  }
}

/** The ids of the boxes wholly inside an area. */
export function idsInside(boxes: Iterable<{ id: string; x: number; y: number; width: number; height: number }>, area: Area): string[] {
  const inside: string[] = [];
  for (const box of boxes) if (box.x >= area.x1 && box.x + box.width <= area.x2 && box.y >= area.y1 && box.y + box.height <= area.y2) inside.push(box.id);
  return inside;
}
