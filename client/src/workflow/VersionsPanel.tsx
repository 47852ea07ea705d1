import { createEffect, createMemo, createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import { diffWorkflows, isEmptyDiff, type FieldKind, type NodeChange, type TextDiffPart, type WorkflowDefinition } from '@tandem/schema';
import { canvasModel, docToDefinition, restoreDefinition } from '../editor/doc';
import type { DocSession } from '../editor/sync';
import { Canvas } from '../graph/Canvas';
import { describeError } from '../lib/api';
import { ErrorText } from '../lib/ErrorText';
import { download, fileSafe, formatTime } from '../lib/format';
import { exportWorkflow, getVersionDefinition, listVersions, type VersionSummary } from '../lib/queries';
import { comparisonModel, MARK_LABELS, revisionLabel, successText, type Revision } from './compare';
import { RollbackDialog } from './RollbackDialog';
import { RunDialog } from './RunDialog';

export interface VersionsPanelProps {
  workflowId: string;
  name: string;
  /** The editor's live document: the draft side of comparisons, and where a restore is applied. */
  session: DocSession;
  /** The latest deployed version as the editor knows it: the list is read again when it changes. */
  latestVersion: number;
  /** The draft now holds version `n`'s document (one undoable change). */
  onRestored: (version: number) => void;
  /** Version `n` was deployed again as version `next`. */
  onRolledBack: (version: number, next: number) => void;
}

type Shown = { kind: 'view'; version: number } | { kind: 'compare'; from: Revision; to: Revision };

/**
 * The versions view: every deployed version with its runs; open one read-only on the canvas, or
 * compare two (or one with the live draft) with the changes marked on the canvas and listed;
 * restore one into the draft, or roll back to it.
 */
export function VersionsPanel(props: VersionsPanelProps) {
  const [versions] = createResource(
    () => [props.workflowId, props.latestVersion] as const,
    ([id]) => listVersions(id),
  );
  const [shown, setShown] = createSignal<Shown | null>(null);
  const [selected, setSelected] = createSignal<string | null>(null);
  const [error, setError] = createSignal('');
  const [running, setRunning] = createSignal<number | null>(null);
  const [rollingBack, setRollingBack] = createSignal<number | null>(null);
  const [fromChoice, setFromChoice] = createSignal('');
  const [toChoice, setToChoice] = createSignal('draft');
  const readOnly = () => props.session.readOnly();
  const latest = () => versions()?.items[0]?.number ?? 0;

  // The live draft, refreshed once per frame after any change by anyone.
  const [draft, setDraft] = createSignal<WorkflowDefinition>(docToDefinition(props.session.doc));
  let frame = 0;
  const onUpdate = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(() => setDraft(docToDefinition(props.session.doc)));
  };
  props.session.doc.on('update', onUpdate);
  onCleanup(() => {
    props.session.doc.off('update', onUpdate);
    cancelAnimationFrame(frame);
  });

  // Deployed documents never change: each is fetched once.
  const fetched = new Map<number, Promise<WorkflowDefinition>>();
  const versionDocument = (n: number) => {
    let load = fetched.get(n);
    if (!load) {
      load = getVersionDefinition(props.workflowId, n);
      load.catch(() => fetched.delete(n));
      fetched.set(n, load);
    }
    return load;
  };
  const [documents] = createResource(shown, async (s) => {
    setError('');
    try {
      if (s.kind === 'view') return { from: null, to: await versionDocument(s.version) };
      const [from, to] = await Promise.all([s.from === 'draft' ? null : versionDocument(s.from), s.to === 'draft' ? null : versionDocument(s.to)]);
      return { from, to };
    } catch (e) {
      setError(describeError(e));
      return undefined;
    }
  });
  const side = (revision: Revision, loaded: WorkflowDefinition | null) => (revision === 'draft' ? draft() : loaded);

  const comparison = createMemo(() => {
    const s = shown();
    const docs = documents();
    if (s?.kind !== 'compare' || !docs) return null;
    const from = side(s.from, docs.from);
    const to = side(s.to, docs.to);
    if (!from || !to) return null;
    const diff = diffWorkflows(from, to);
    return { diff, model: comparisonModel(from, to, diff), from, to };
  });
  const viewed = createMemo(() => {
    const s = shown();
    const docs = documents();
    return s?.kind === 'view' && docs?.to ? { definition: docs.to, model: canvasModel(docs.to) } : null;
  });
  const canvasData = () => comparison()?.model ?? viewed()?.model ?? null;

  // Once the list is there, open what people most often want: the changes since the live version.
  let opened = false;
  const openDefault = (items: readonly VersionSummary[]) => {
    if (opened || items.length === 0) return;
    opened = true;
    setFromChoice(String(items[0]!.number));
    setShown({ kind: 'compare', from: items[0]!.number, to: 'draft' });
  };
  createEffect(() => openDefault(versions()?.items ?? []));
  const items = () => versions()?.items ?? [];
  /** Whether version `n` is what the canvas shows, or a side of the comparison. */
  const involves = (n: number) => {
    const s = shown();
    return s?.kind === 'view' ? s.version === n : s?.kind === 'compare' && (s.from === n || s.to === n);
  };

  const compare = (from: Revision, to: Revision) => {
    setSelected(null);
    setFromChoice(String(from));
    setToChoice(String(to));
    setShown({ kind: 'compare', from, to });
  };
  const parseChoice = (value: string): Revision => (value === 'draft' ? 'draft' : Number(value));

  const restore = async (n: number) => {
    setError('');
    try {
      restoreDefinition(props.session.doc, props.session.undoManager, await versionDocument(n));
      props.onRestored(n);
    } catch (e) {
      setError(describeError(e));
    }
  };
  const exportVersion = async (n: number) => {
    try {
      download(`${fileSafe(props.name)}.v${n}.tandem.json`, JSON.stringify(await exportWorkflow(props.workflowId, n), null, 2));
    } catch (e) {
      setError(describeError(e));
    }
  };

  const title = () => {
    const s = shown();
    if (!s) return '';
    if (s.kind === 'view') return `Version ${s.version} (read-only)`;
    return `Changes from ${revisionLabel(s.from)} to ${revisionLabel(s.to)}`;
  };
  const nodeChange = (id: string | null) => (id ? comparison()?.diff.nodes.find((n) => n.nodeId === id) : undefined);

  return (
    <div class="versions-view">
      <aside class="versions-list" aria-label="Versions">
        <h2>Versions ({versions()?.totalCount ?? '…'})</h2>
        <Show when={items().length > 0}>
          <form
            class="compare-form"
            onSubmit={(e) => {
              e.preventDefault();
              if (fromChoice()) compare(parseChoice(fromChoice()), parseChoice(toChoice()));
            }}
          >
            <label>
              From
              <select onChange={(e) => setFromChoice(e.currentTarget.value)}>
                <For each={items()}>
                  {(v) => (
                    <option value={String(v.number)} selected={fromChoice() === String(v.number)}>
                      v{v.number}
                    </option>
                  )}
                </For>
                <option value="draft" selected={fromChoice() === 'draft'}>
                  Draft
                </option>
              </select>
            </label>
            <label>
              To
              <select onChange={(e) => setToChoice(e.currentTarget.value)}>
                <option value="draft" selected={toChoice() === 'draft'}>
                  Draft
                </option>
                <For each={items()}>
                  {(v) => (
                    <option value={String(v.number)} selected={toChoice() === String(v.number)}>
                      v{v.number}
                    </option>
                  )}
                </For>
              </select>
            </label>
            <button type="submit">Compare</button>
          </form>
        </Show>
        <Show when={items().length > 0} fallback={<p class="hint">{versions.loading ? 'Loading…' : 'Not deployed yet: deploy to make version 1.'}</p>}>
          <ol class="version-items">
            <For each={items()}>
              {(v) => (
                <li class="version-item" classList={{ current: involves(v.number) }} aria-label={`Version ${v.number}`}>
                  <div>
                    <strong>v{v.number}</strong>
                    <Show when={v.number === latest()}>
                      {' '}
                      <span class="badge live">live</span>
                    </Show>{' '}
                    {v.message ? `“${v.message}”` : <span class="hint">(no message)</span>}
                  </div>
                  <div class="hint">
                    by {v.author.name}, {formatTime(v.createdAt)}
                  </div>
                  <div class="hint version-runs">
                    {v.runCount === 1 ? '1 run' : `${v.runCount} runs`}
                    <Show when={v.successRate !== null}> · {successText(v.successRate)}</Show>
                  </div>
                  <div class="version-actions">
                    <button
                      type="button"
                      class="link"
                      onClick={() => {
                        setSelected(null);
                        setShown({ kind: 'view', version: v.number });
                      }}
                      aria-label={`View version ${v.number}`}
                    >
                      View
                    </button>
                    <button type="button" class="link" onClick={() => compare(v.number, 'draft')} aria-label={`Compare with draft (version ${v.number})`}>
                      Compare with draft
                    </button>
                    <Show when={v.number > 1}>
                      <button type="button" class="link" onClick={() => compare(v.number - 1, v.number)} aria-label={`Changes in version ${v.number}`}>
                        Changes
                      </button>
                    </Show>
                    <button
                      type="button"
                      class="link"
                      disabled={readOnly()}
                      onClick={() => void restore(v.number)}
                      aria-label={`Restore version ${v.number} into the draft`}
                    >
                      Restore
                    </button>
                    <Show when={v.number !== latest()}>
                      <button
                        type="button"
                        class="link"
                        disabled={readOnly()}
                        onClick={() => setRollingBack(v.number)}
                        aria-label={`Roll back to version ${v.number}`}
                      >
                        Roll back
                      </button>
                    </Show>
                    <button
                      type="button"
                      class="link"
                      aria-haspopup="dialog"
                      disabled={readOnly()}
                      onClick={() => setRunning(v.number)}
                      aria-label={`Run version ${v.number}`}
                    >
                      Run
                    </button>
                    <button type="button" class="link" onClick={() => void exportVersion(v.number)} aria-label={`Export version ${v.number}`}>
                      Export
                    </button>
                  </div>
                </li>
              )}
            </For>
          </ol>
        </Show>
        <ErrorText message={error()} />
      </aside>
      <section class="versions-canvas" aria-label={title() || 'Version'}>
        <div class="versions-canvas-head">
          <h2>{title()}</h2>
          <Show when={comparison()}>
            <ul class="diff-legend" aria-label="Legend">
              <For each={MARK_LABELS}>
                {([mark, label]) => (
                  <li>
                    <span class={`swatch diff-${mark}`} aria-hidden="true" />
                    {label}
                  </li>
                )}
              </For>
            </ul>
          </Show>
        </div>
        <Show when={canvasData()} fallback={<p class="hint page">{shown() ? 'Loading…' : 'Choose a version.'}</p>}>
          {(data) => (
            <Canvas
              nodes={data().nodes}
              edges={data().edges}
              label={title()}
              readOnly
              selected={(id) => selected() === id}
              onSelect={(ids) => setSelected(ids[0] ?? null)}
              marks={(id) => comparison()?.model.nodeMarks.get(id)}
              edgeMarks={(id) => comparison()?.model.edgeMarks.get(id)}
              ghosts={comparison()?.model.ghosts}
            />
          )}
        </Show>
      </section>
      <aside class="inspector versions-changes" aria-label="Changes">
        <Show when={comparison()} fallback={<ViewedNode />}>
          {(c) => (
            <>
              <Show when={!isEmptyDiff(c().diff)} fallback={<p class="ok">No differences.</p>}>
                <h3>Changes</h3>
                <ul class="change-list">
                  <For each={c().diff.metadata}>
                    {(m) => (
                      <li>
                        Workflow {m.field}: <TextDiff parts={m.text} />
                      </li>
                    )}
                  </For>
                  <For each={c().diff.params}>
                    {(p) => (
                      <li>
                        <span class={`tag diff-${p.change}`}>{p.change}</span> param <code>{p.name}</code>
                        <Show when={p.change !== 'added'}>
                          {' '}
                          <del>{JSON.stringify(p.before)}</del>
                        </Show>
                        <Show when={p.change !== 'removed'}>
                          {' '}
                          <ins>{JSON.stringify(p.after)}</ins>
                        </Show>
                      </li>
                    )}
                  </For>
                  <For each={c().diff.nodes}>
                    {(n) => (
                      <li>
                        <button type="button" class="link change-item" aria-pressed={selected() === n.nodeId} onClick={() => setSelected(n.nodeId)}>
                          <span class={`tag diff-${n.mark}`}>{n.mark}</span> node {n.nodeId}
                          <Show when={n.config.length > 0}> ({n.config.map((f) => f.field).join(', ')})</Show>
                        </button>
                      </li>
                    )}
                  </For>
                  <For each={c().diff.edges}>
                    {(e) => {
                      const edge = e.after ?? e.before!;
                      return (
                        <li>
                          <span class={`tag diff-${e.change}`}>{e.change}</span> connection {edge.source}
                          <Show when={edge.sourceHandle}> ({edge.sourceHandle})</Show> → {edge.target}
                        </li>
                      );
                    }}
                  </For>
                </ul>
              </Show>
              <Show when={selected()}>{(id) => <NodeChangeDetails nodeId={id()} change={nodeChange(id())} />}</Show>
            </>
          )}
        </Show>
      </aside>
      <Show when={running()}>{(n) => <RunDialog workflowId={props.workflowId} version={n()} onClose={() => setRunning(null)} />}</Show>
      <Show when={rollingBack()}>
        {(n) => (
          <RollbackDialog
            workflowId={props.workflowId}
            version={n()}
            onClose={() => setRollingBack(null)}
            onDone={(next) => {
              const from = n(); // read before the dialog (and this accessor) goes away
              setRollingBack(null);
              props.onRolledBack(from, next); // a new latest version: the list is read again
            }}
          />
        )}
      </Show>
    </div>
  );

  function ViewedNode() {
    const node = () => viewed()?.definition.nodes.find((n) => n.id === selected());
    return (
      <Show when={node()} fallback={<p class="hint">Select a node to see its settings.</p>}>
        {(n) => (
          <div>
            <h3>{n().name || n().id}</h3>
            <p class="hint">
              {n().type} · id <code>{n().id}</code>
            </p>
            <pre class="json">{JSON.stringify(n().config, null, 2)}</pre>
          </div>
        )}
      </Show>
    );
  }
}

/** What changed on one node: type, label, position, and each config field with a text diff. */
function NodeChangeDetails(props: { nodeId: string; change: NodeChange | undefined }) {
  return (
    <div class="node-change" aria-label={`Changes of node ${props.nodeId}`}>
      <h3>Node {props.nodeId}</h3>
      <Show when={props.change} fallback={<p class="hint">Unchanged.</p>}>
        {(c) => (
          <>
            <Show when={c().change !== 'changed'}>
              <p>
                {c().change === 'added' ? 'Added' : 'Removed'} ({c().node?.type}).
              </p>
              <pre class="json">{JSON.stringify(c().node?.config ?? {}, null, 2)}</pre>
            </Show>
            <Show when={c().type}>
              {(t) => (
                <p>
                  Type: <del>{t().before}</del> → <ins>{t().after}</ins>
                </p>
              )}
            </Show>
            <Show when={c().name}>
              {(n) => (
                <p>
                  Label: <del>{n().before ?? '(none)'}</del> → <ins>{n().after ?? '(none)'}</ins>
                </p>
              )}
            </Show>
            <Show when={c().position}>
              {(p) => (
                <p>
                  Moved from ({p().before.x}, {p().before.y}) to ({p().after.x}, {p().after.y}).
                </p>
              )}
            </Show>
            <For each={c().config}>
              {(field) => (
                <div class="field-change">
                  <p>
                    <code>{field.field}</code> <span class="hint">{KIND_TEXT[field.kind]}</span> <span class={`tag diff-${field.change}`}>{field.change}</span>
                  </p>
                  <Show
                    when={field.text}
                    fallback={
                      <p>
                        <Show when={field.change !== 'added'}>
                          <del>{JSON.stringify(field.before)}</del>
                        </Show>{' '}
                        <Show when={field.change !== 'removed'}>
                          <ins>{JSON.stringify(field.after)}</ins>
                        </Show>
                      </p>
                    }
                  >
                    {(parts) => <TextDiff parts={parts()} />}
                  </Show>
                </div>
              )}
            </For>
          </>
        )}
      </Show>
    </div>
  );
}

const KIND_TEXT: Record<FieldKind, string> = { expression: '(JSONata)', template: '(template)', literal: '' };

/** A word diff: removed text struck through, added text underlined. */
function TextDiff(props: { parts: readonly TextDiffPart[] }) {
  return (
    <pre class="text-diff">
      <For each={props.parts}>
        {(part) => (part.op === 'delete' ? <del>{part.text}</del> : part.op === 'insert' ? <ins>{part.text}</ins> : <span>{part.text}</span>)}
      </For>
    </pre>
  );
}
