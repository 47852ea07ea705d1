import { batch, createEffect, createMemo, createSignal, For, on, onCleanup, Show } from 'solid-js';
import { createStore, reconcile } from 'solid-js/store';
import { getNodeType, validateWorkflow, type Problem, type WorkflowDefinition } from '@tandem/schema';
import { Canvas, type CanvasApi, type RemoteCursor } from '../graph/Canvas';
import { autoLayout } from '../graph/layout';
import { NODE_HEIGHT, NODE_WIDTH, nodeHeight, type CanvasEdge, type CanvasNode } from '../graph/model';
import { ProblemList } from '../lib/Problems';
import type { SessionUser } from '../lib/session';
import { ConfigForm } from './ConfigForm';
import { addNode, canvasModel, connect, deleteItems, docToDefinition, moveNodes, setConfigField, setMeta, setNodeName } from './doc';
import { Palette } from './Palette';
import { colorFor, usePeers } from './presence';
import type { DocSession } from './sync';

type Point = { x: number; y: number };

export interface EditorProps {
  session: DocSession;
  user: SessionUser;
  /** A node to select once the document holds it (a run's "Open in editor" link, `?node=`). */
  select?: string;
}

/** Problems grouped by the node, edge and config field they name. */
export function groupProblems(problems: readonly Problem[]) {
  const byNode = new Map<string, string[]>();
  const byEdge = new Map<string, string[]>();
  const byField = new Map<string, string[]>();
  for (const problem of problems) {
    if (problem.edgeId) byEdge.set(problem.edgeId, [...(byEdge.get(problem.edgeId) ?? []), problem.message]);
    if (problem.nodeId) {
      byNode.set(problem.nodeId, [...(byNode.get(problem.nodeId) ?? []), problem.message]);
      const field = /\.config\.([A-Za-z0-9_]+)/.exec(problem.path)?.[1];
      if (field) {
        const key = `${problem.nodeId}\u0000${field}`;
        byField.set(key, [...(byField.get(key) ?? []), problem.message]);
      }
    }
  }
  return { byNode, byEdge, byField };
}

/** The first place near `wanted` where a new node overlaps no other (searching down, then right). */
export function freeSpot(nodes: readonly CanvasNode[], wanted: Point): Point {
  const overlaps = (p: Point) =>
    nodes.some((n) => p.x < n.x + NODE_WIDTH + 20 && p.x + NODE_WIDTH + 20 > n.x && p.y < n.y + nodeHeight(n) + 16 && p.y + NODE_HEIGHT + 16 > n.y);
  for (let column = 0; column < 20; column++) {
    for (let row = 0; row < 8; row++) {
      const p = { x: Math.round(wanted.x + column * (NODE_WIDTH + 40)), y: Math.round(wanted.y + row * (NODE_HEIGHT + 24)) };
      if (!overlaps(p)) return p;
    }
  }
  return wanted;
}

export function Editor(props: EditorProps) {
  const { doc, awareness } = props.session;
  const readOnly = () => props.session.readOnly();

  const [selection, setSelection] = createSignal<ReadonlySet<string>>(new Set());
  const [selectedEdge, setSelectedEdge] = createSignal<string | null>(null);

  // The document as the canvas and forms see it, refreshed once per frame after changes.
  const [model, setModel] = createStore<{ nodes: CanvasNode[]; edges: CanvasEdge[] }>({ nodes: [], edges: [] });
  const [definition, setDefinition] = createSignal<WorkflowDefinition>(docToDefinition(doc));
  let scheduled = false;
  let pendingSelect = props.select;
  const refresh = () => {
    scheduled = false;
    const def = docToDefinition(doc);
    const next = canvasModel(def);
    batch(() => {
      setDefinition(def);
      setModel('nodes', reconcile(next.nodes, { key: 'id' }));
      setModel('edges', reconcile(next.edges, { key: 'id' }));
      const existing = new Set(next.nodes.map((n) => n.id));
      if (pendingSelect && existing.has(pendingSelect)) {
        setSelection(new Set([pendingSelect]));
        pendingSelect = undefined;
      }
      // Drop selected ids deleted by anyone.
      const current = selection();
      if ([...current].some((id) => !existing.has(id))) setSelection(new Set([...current].filter((id) => existing.has(id))));
      const edge = selectedEdge();
      if (edge && !next.edges.some((e) => e.id === edge)) setSelectedEdge(null);
    });
  };
  refresh();
  const onUpdate = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(refresh);
  };
  doc.on('update', onUpdate);
  onCleanup(() => doc.off('update', onUpdate));

  // Validation, live, a moment after the last change.
  const [problems, setProblems] = createSignal<Problem[]>([]);
  let validateTimer: ReturnType<typeof setTimeout> | undefined;
  createEffect(
    on(definition, (def) => {
      clearTimeout(validateTimer);
      validateTimer = setTimeout(() => {
        const result = validateWorkflow(def);
        setProblems(result.ok ? [] : result.problems);
      }, 120);
    }),
  );
  onCleanup(() => clearTimeout(validateTimer));
  const grouped = createMemo(() => groupProblems(problems()));

  // Undo/redo of this user's own changes only (the session's manager: a restore made in the versions view is undone here).
  const undoManager = props.session.undoManager;
  const [canUndo, setCanUndo] = createSignal(false);
  const [canRedo, setCanRedo] = createSignal(false);
  const onStack = () => {
    setCanUndo(undoManager.undoStack.length > 0);
    setCanRedo(undoManager.redoStack.length > 0);
  };
  onStack();
  undoManager.on('stack-item-added', onStack);
  undoManager.on('stack-item-popped', onStack);
  undoManager.on('stack-cleared', onStack);
  onCleanup(() => {
    undoManager.off('stack-item-added', onStack);
    undoManager.off('stack-item-popped', onStack);
    undoManager.off('stack-cleared', onStack);
  });
  const undo = () => !readOnly() && undoManager.undo();
  const redo = () => !readOnly() && undoManager.redo();

  // Selection, shared with others through awareness.
  const select = (ids: string[], additive: boolean) => {
    setSelectedEdge(null);
    if (!additive) setSelection(new Set(ids));
    else {
      const next = new Set(selection());
      for (const id of ids) {
        if (next.has(id) && ids.length === 1) next.delete(id);
        else next.add(id);
      }
      setSelection(next);
    }
  };
  const color = colorFor(props.user.id);
  awareness.setLocalStateField('user', { id: props.user.id, name: props.user.name, color });
  createEffect(() => awareness.setLocalStateField('selection', [...selection()]));
  let cursorFrame = 0;
  const onCursor = (point: Point | null) => {
    cancelAnimationFrame(cursorFrame);
    cursorFrame = requestAnimationFrame(() => awareness.setLocalStateField('cursor', point));
  };

  const peers = usePeers(awareness);
  const remoteDrags = createMemo(() => {
    const map = new Map<string, Point>();
    for (const peer of peers()) for (const [id, p] of Object.entries(peer.drag ?? {})) map.set(id, p);
    return map;
  });
  const remoteSelections = createMemo(() => {
    const map = new Map<string, string>();
    for (const peer of peers()) for (const id of peer.selection ?? []) map.set(id, peer.user.color);
    return map;
  });
  const remoteCursors = createMemo((): RemoteCursor[] =>
    peers()
      .filter((p) => p.cursor)
      .map((p) => ({ id: p.clientId, name: p.user.name, color: p.user.color, x: p.cursor!.x, y: p.cursor!.y })),
  );

  // Editing operations.
  let canvas: CanvasApi | undefined;
  const add = (type: string) => {
    if (readOnly()) return;
    const center = canvas?.center() ?? { x: 0, y: 0 };
    const id = addNode(doc, type, freeSpot(model.nodes, { x: center.x - NODE_WIDTH / 2, y: center.y - NODE_HEIGHT / 2 }));
    setSelection(new Set([id]));
    setSelectedEdge(null);
  };
  const removeSelection = () => {
    if (readOnly()) return;
    const edge = selectedEdge();
    deleteItems(doc, selection(), edge ? [edge] : []);
    setSelection(new Set<string>());
    setSelectedEdge(null);
  };
  const layout = async () => {
    if (readOnly()) return;
    const positions = await autoLayout(model.nodes, model.edges);
    moveNodes(doc, positions);
    requestAnimationFrame(() => requestAnimationFrame(() => canvas?.fit()));
  };
  const nudge = (dx: number, dy: number) => {
    const moves = new Map<string, Point>();
    for (const node of model.nodes) if (selection().has(node.id)) moves.set(node.id, { x: node.x + dx, y: node.y + dy });
    if (moves.size) moveNodes(doc, moves);
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const target = event.target as HTMLElement;
    if (target.closest('input, textarea, select, [contenteditable="true"]')) return;
    const mod = event.ctrlKey || event.metaKey;
    const key = event.key.toLowerCase();
    if (mod && key === 'z' && !event.shiftKey) {
      event.preventDefault();
      undo();
    } else if ((mod && key === 'z' && event.shiftKey) || (mod && key === 'y')) {
      event.preventDefault();
      redo();
    } else if (mod && key === 'a') {
      event.preventDefault();
      setSelection(new Set(model.nodes.map((n) => n.id)));
    } else if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      removeSelection();
    } else if (event.key === 'Escape') {
      setSelection(new Set<string>());
      setSelectedEdge(null);
    } else if (!mod && key === 'f') {
      canvas?.fit();
    } else if (!mod && key === 'l') {
      void layout();
    } else if (event.key.startsWith('Arrow') && selection().size > 0 && !readOnly()) {
      event.preventDefault();
      const step = event.shiftKey ? 50 : 10;
      nudge(event.key === 'ArrowLeft' ? -step : event.key === 'ArrowRight' ? step : 0, event.key === 'ArrowUp' ? -step : event.key === 'ArrowDown' ? step : 0);
    }
  };

  const selectedNode = createMemo(() => {
    const ids = [...selection()];
    if (ids.length !== 1) return null;
    return definition().nodes.find((n) => n.id === ids[0]) ?? null;
  });

  return (
    <div class="editor" onKeyDown={onKeyDown}>
      <div class="editor-toolbar" role="toolbar" aria-label="Editor">
        <button type="button" onClick={undo} disabled={!canUndo() || readOnly()} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={redo} disabled={!canRedo() || readOnly()} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button type="button" onClick={() => void layout()} disabled={readOnly()} title="Auto-layout (L)">
          Auto-layout
        </button>
        <button type="button" onClick={() => canvas?.fit()} title="Fit to view (F)">
          Fit
        </button>
        <button
          type="button"
          class="danger"
          onClick={removeSelection}
          disabled={readOnly() || (selection().size === 0 && !selectedEdge())}
          title="Delete (Del)"
        >
          Delete
        </button>
        <span class="hint shortcuts">Shift+drag: select an area · Shift+click: add to selection · arrows move</span>
      </div>
      <div class="editor-body">
        <Show when={!readOnly()} fallback={<div class="palette viewer-note">You are a viewer: you can follow edits and runs, not edit.</div>}>
          <Palette disabled={readOnly()} onAdd={add} />
        </Show>
        <Canvas
          nodes={model.nodes}
          edges={model.edges}
          label="Workflow graph"
          readOnly={readOnly()}
          selected={(id) => selection().has(id)}
          selectedEdge={selectedEdge()}
          onSelect={select}
          onSelectEdge={(id) => {
            setSelection(new Set<string>());
            setSelectedEdge(id);
          }}
          nodeProblems={(id) => grouped().byNode.get(id) ?? []}
          edgeProblems={(id) => grouped().byEdge.get(id) ?? []}
          onDragging={(positions) => awareness.setLocalStateField('drag', positions ? Object.fromEntries(positions) : null)}
          onMoveEnd={(positions) => moveNodes(doc, positions)}
          onConnect={(source, handle, target) => {
            const id = connect(doc, source, handle, target);
            if (id) setSelectedEdge(null);
          }}
          remoteDrags={remoteDrags}
          remoteSelections={(id) => remoteSelections().get(id)}
          remoteCursors={remoteCursors}
          onCursor={onCursor}
          onDropType={(type, point) => {
            const id = addNode(doc, type, freeSpot(model.nodes, point));
            setSelection(new Set([id]));
            setSelectedEdge(null);
          }}
          ref={(api) => (canvas = api)}
        />
        <aside class="inspector" aria-label="Inspector">
          <Show when={selectedNode()} fallback={<Overview />}>
            {(node) => <NodeInspector nodeId={node().id} />}
          </Show>
        </aside>
      </div>
    </div>
  );

  function Overview() {
    const edge = () => {
      const id = selectedEdge();
      return id ? (definition().edges.find((e) => e.id === id) ?? null) : null;
    };
    return (
      <Show
        when={edge()}
        fallback={
          <div>
            <h2>Workflow</h2>
            <label>
              Name
              <input value={definition().name} readOnly={readOnly()} onChange={(e) => setMeta(doc, 'name', e.currentTarget.value)} />
            </label>
            <label>
              Description
              <textarea
                rows={3}
                value={definition().description ?? ''}
                readOnly={readOnly()}
                onChange={(e) => setMeta(doc, 'description', e.currentTarget.value)}
              />
            </label>
            <Show when={selection().size > 1}>
              <p>{selection().size} nodes selected.</p>
            </Show>
            <h3>Problems</h3>
            <Show when={problems().length > 0} fallback={<p class="ok">No problems: this workflow can be deployed.</p>}>
              <ProblemList problems={problems()} onPick={(p) => p.nodeId && select([p.nodeId], false)} />
            </Show>
          </div>
        }
      >
        {(e) => (
          <div>
            <h2>Connection {e().id}</h2>
            <p>
              From <strong>{e().source}</strong>
              <Show when={e().sourceHandle}> ({e().sourceHandle})</Show> to <strong>{e().target}</strong>
            </p>
            <ProblemList problems={(grouped().byEdge.get(e().id) ?? []).map((message) => ({ message }))} />
            <button type="button" class="danger" disabled={readOnly()} onClick={removeSelection}>
              Delete connection
            </button>
          </div>
        )}
      </Show>
    );
  }

  function NodeInspector(p: { nodeId: string }) {
    const node = () => definition().nodes.find((n) => n.id === p.nodeId);
    const type = () => getNodeType(node()?.type ?? '');
    const canvasNode = () => model.nodes.find((n) => n.id === p.nodeId);
    const outgoing = () => definition().edges.filter((e) => e.source === p.nodeId);
    const [target, setTarget] = createSignal('');
    const [handle, setHandle] = createSignal('');
    return (
      <Show when={node()}>
        {(n) => (
          <div>
            <h2>{n().name || n().id}</h2>
            <p class="hint">
              {type()?.title ?? n().type} · id <code>{n().id}</code>
            </p>
            <Show when={type()} fallback={<p class="error">Unknown node type "{n().type}".</p>}>
              {(t) => <p class="hint">{t().description}</p>}
            </Show>
            <ProblemList problems={(grouped().byNode.get(n().id) ?? []).map((message) => ({ message }))} />
            <label>
              Label
              <input
                value={n().name ?? ''}
                placeholder={n().id}
                readOnly={readOnly()}
                onChange={(e) => setNodeName(doc, n().id, e.currentTarget.value.trim())}
              />
            </label>
            <Show when={type()}>
              {(t) => (
                <ConfigForm
                  nodeId={n().id}
                  nodeType={t()}
                  config={(n().config ?? {}) as Record<string, unknown>}
                  readOnly={readOnly()}
                  problems={(field) => grouped().byField.get(`${n().id}\u0000${field}`) ?? []}
                  onChange={(field, value) => setConfigField(doc, n().id, field, value)}
                />
              )}
            </Show>
            <h3>Connections</h3>
            <ul class="connections">
              <For each={outgoing()} fallback={<li class="hint">None yet.</li>}>
                {(edge) => (
                  <li>
                    <Show when={edge.sourceHandle}>{edge.sourceHandle} → </Show>
                    {edge.target}{' '}
                    <button
                      type="button"
                      class="link"
                      disabled={readOnly()}
                      onClick={() => deleteItems(doc, [], [edge.id])}
                      aria-label={`Remove connection to ${edge.target}`}
                    >
                      remove
                    </button>
                  </li>
                )}
              </For>
            </ul>
            <Show when={!readOnly()}>
              <form
                class="connect-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  const handles = canvasNode()?.handles ?? [];
                  const h = handles.length ? handle() || handles[0] : undefined;
                  if (target()) connect(doc, n().id, h, target());
                }}
              >
                <Show when={(canvasNode()?.handles.length ?? 0) > 0}>
                  <label>
                    From handle
                    <select value={handle()} onChange={(e) => setHandle(e.currentTarget.value)}>
                      <For each={canvasNode()?.handles ?? []}>{(h) => <option value={h}>{h}</option>}</For>
                    </select>
                  </label>
                </Show>
                <label>
                  Connect to
                  <select value={target()} onChange={(e) => setTarget(e.currentTarget.value)}>
                    <option value="">Choose a node…</option>
                    <For each={model.nodes.filter((o) => o.id !== n().id && !o.trigger)}>
                      {(o) => <option value={o.id}>{o.name ? `${o.name} (${o.id})` : o.id}</option>}
                    </For>
                  </select>
                </label>
                <button type="submit" disabled={!target()}>
                  Connect
                </button>
              </form>
              <button type="button" class="danger" onClick={removeSelection}>
                Delete node
              </button>
            </Show>
          </div>
        )}
      </Show>
    );
  }
}
