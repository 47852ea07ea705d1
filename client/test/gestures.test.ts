import { describe, expect, it } from 'vitest';
import { idsInside, IDLE, step, withDragOrigins, type GestureInput, type GestureState, type Step } from '../src/graph/gestures';

const editable = { readOnly: false };
const viewport = { x: 40, y: 40, zoom: 1 };
const at = (x: number, y: number) => ({ x, y });

/** Runs inputs one after another; returns every step. */
function run(inputs: GestureInput[], env = editable, from: GestureState = IDLE): Step[] {
  const steps: Step[] = [];
  let state = from;
  for (const input of inputs) {
    const next = step(state, input, env);
    steps.push(next);
    state = next.state;
  }
  return steps;
}

const up = (node: string | null = null): GestureInput => ({ type: 'up', nodeAt: () => node });
const move = (x: number, y: number): GestureInput => ({ type: 'move', client: at(x, y), graph: at(x, y) });

describe('canvas pointer gestures', () => {
  it('pans the view from a background press and clears the selection; Shift keeps it', () => {
    const [down, moved, released] = run([
      { type: 'background-down', button: 0, shift: false, client: at(100, 100), graph: at(60, 60), viewport },
      move(130, 90),
      up(),
    ]);
    expect(down!.effects).toEqual([{ type: 'capture' }, { type: 'select', ids: [], additive: false }]);
    expect(moved!.effects).toEqual([{ type: 'viewport', viewport: { x: 70, y: 30, zoom: 1 } }]);
    expect(released!.state).toEqual(IDLE);
    // Shift on a read-only canvas pans too, without touching the selection.
    const [shifted] = run([{ type: 'background-down', button: 0, shift: true, client: at(0, 0), graph: at(0, 0), viewport }], { readOnly: true });
    expect(shifted!.state.pointer?.kind).toBe('pan');
    expect(shifted!.effects).toEqual([{ type: 'capture' }]);
  });

  it('pans with the middle button from anywhere; other buttons do nothing', () => {
    const [middle] = run([{ type: 'background-down', button: 1, shift: false, client: at(0, 0), graph: at(0, 0), viewport }]);
    expect(middle!.effects).toEqual([{ type: 'prevent-default' }, { type: 'capture' }]);
    const [right] = run([{ type: 'background-down', button: 2, shift: false, client: at(0, 0), graph: at(0, 0), viewport }]);
    expect(right!.state).toBe(IDLE);
    expect(right!.effects).toEqual([]);
  });

  it('drags the pressed node with the selection only past 3 px, and ends with one move', () => {
    const steps = run([{ type: 'node-down', button: 0, nodeId: 'a', additive: false, selected: false, graph: at(10, 10) }]);
    expect(steps[0]!.effects).toEqual([{ type: 'select', ids: ['a'], additive: false }, { type: 'capture' }, { type: 'begin-drag', nodeId: 'a' }]);
    // The canvas answers begin-drag with the nodes that move.
    const dragging = withDragOrigins(
      steps[0]!.state,
      new Map([
        ['a', at(0, 0)],
        ['b', at(100, 0)],
      ]),
    );
    const [small, far, released] = run([move(11, 12), move(20.4, 30.6), up()], editable, dragging);
    expect(small!.effects).toEqual([]);
    expect(small!.state).toBe(dragging);
    const positions = new Map([
      ['a', at(10, 21)],
      ['b', at(110, 21)],
    ]);
    expect(far!.effects).toEqual([{ type: 'dragging', positions }]);
    expect(released!.effects).toEqual([
      { type: 'move-end', positions },
      { type: 'dragging', positions: null },
    ]);
    expect(released!.state).toEqual(IDLE);
  });

  it('treats a press without movement as a click: no move, and a selected node keeps the selection', () => {
    const dragging = withDragOrigins(
      step(IDLE, { type: 'node-down', button: 0, nodeId: 'a', additive: false, selected: true, graph: at(0, 0) }, editable).state,
      new Map([['a', at(0, 0)]]),
    );
    expect(step(IDLE, { type: 'node-down', button: 0, nodeId: 'a', additive: false, selected: true, graph: at(0, 0) }, editable).effects).toEqual([
      { type: 'capture' },
      { type: 'begin-drag', nodeId: 'a' },
    ]);
    expect(step(dragging, up(), editable).effects).toEqual([{ type: 'dragging', positions: null }]);
    // Shift (or Ctrl/Cmd) adds to the selection; read-only canvases select and never drag.
    const [readOnly] = run([{ type: 'node-down', button: 0, nodeId: 'a', additive: true, selected: true, graph: at(0, 0) }], { readOnly: true });
    expect(readOnly!.effects).toEqual([{ type: 'select', ids: ['a'], additive: true }]);
    expect(readOnly!.state).toBe(IDLE);
  });

  it('connects by dragging from a handle onto another node', () => {
    const [down, moved, dropped] = run([
      { type: 'handle-down', button: 0, nodeId: 'a', handle: 'true', from: at(200, 30), graph: at(201, 31) },
      move(260, 40),
      up('b'),
    ]);
    expect(down!.effects).toEqual([{ type: 'capture' }]);
    expect(down!.state.connection).toEqual({ source: 'a', handle: 'true', from: at(200, 30), to: at(201, 31) });
    expect(moved!.state.connection?.to).toEqual(at(260, 40));
    expect(dropped!.effects).toEqual([{ type: 'connect', source: 'a', handle: 'true', target: 'b' }]);
    expect(dropped!.state).toEqual(IDLE);
    // Dropped on its own node or on the background: nothing, and the draft is gone.
    const self = run([{ type: 'handle-down', button: 0, nodeId: 'a', handle: undefined, from: at(0, 0), graph: at(0, 0) }, move(50, 0), up('a')]);
    expect(self.at(-1)!.effects).toEqual([]);
    expect(self.at(-1)!.state).toEqual(IDLE);
  });

  it('connects by clicking a handle, then a node; the background or Escape cancels', () => {
    const clicked = run([{ type: 'handle-down', button: 0, nodeId: 'a', handle: undefined, from: at(0, 0), graph: at(0, 0) }, move(5, 5), up('a')]);
    const pending = clicked.at(-1)!.state;
    expect(pending.pointer).toBeNull();
    expect(pending.connection).toMatchObject({ source: 'a', to: at(5, 5) });
    // It follows the pointer…
    const followed = step(pending, move(80, 90), editable).state;
    expect(followed.connection?.to).toEqual(at(80, 90));
    // …and a click on a node connects, without selecting or dragging it.
    const onNode = step(followed, { type: 'node-down', button: 0, nodeId: 'b', additive: false, selected: false, graph: at(80, 90) }, editable);
    expect(onNode.effects).toEqual([{ type: 'connect', source: 'a', handle: undefined, target: 'b' }]);
    expect(onNode.state).toEqual(IDLE);
    expect(step(followed, { type: 'node-down', button: 0, nodeId: 'a', additive: false, selected: false, graph: at(0, 0) }, editable)).toEqual({
      state: IDLE,
      effects: [],
    });
    expect(step(followed, { type: 'background-down', button: 0, shift: false, client: at(0, 0), graph: at(0, 0), viewport }, editable)).toEqual({
      state: IDLE,
      effects: [],
    });
    expect(step(followed, { type: 'escape' }, editable)).toEqual({ state: IDLE, effects: [] });
    // A read-only canvas has no handles to press.
    expect(step(IDLE, { type: 'handle-down', button: 0, nodeId: 'a', handle: undefined, from: at(0, 0), graph: at(0, 0) }, { readOnly: true }).state).toBe(
      IDLE,
    );
  });

  it('selects the nodes wholly inside a Shift-drag marquee, adding to the selection', () => {
    const steps = run([{ type: 'background-down', button: 0, shift: true, client: at(0, 0), graph: at(300, 200), viewport }, move(-10, -20), up()]);
    expect(steps[0]!.effects).toEqual([{ type: 'capture' }]);
    expect(steps[1]!.state.pointer).toEqual({ kind: 'marquee', from: at(300, 200), to: at(-10, -20) });
    const area = { x1: -10, y1: -20, x2: 300, y2: 200 };
    expect(steps[2]!.effects).toEqual([{ type: 'select-area', area }]);
    const boxes = [
      { id: 'in', x: 0, y: 0, width: 180, height: 60 },
      { id: 'edge', x: 200, y: 0, width: 180, height: 60 },
      { id: 'out', x: 400, y: 0, width: 180, height: 60 },
    ];
    expect(idsInside(boxes, area)).toEqual(['in']);
  });
});
