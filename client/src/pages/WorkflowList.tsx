import { A, useNavigate } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, onCleanup, Show } from 'solid-js';
import type { ApiProblem } from '../lib/api';
import { ApiError, describeError } from '../lib/api';
import { download, fileSafe, formatTime } from '../lib/format';
import { ProblemList } from '../lib/Problems';
import { createWorkflow, deleteWorkflow, exportWorkflow, importWorkflow, listWorkflows, type WorkflowSummary } from '../lib/queries';
import { StatusBadge } from '../lib/StatusBadge';
import { useTitle } from '../lib/title';
import { ErrorText } from '../lib/ErrorText';

type Sort = 'updated' | 'name' | 'created' | 'lastRun';

const SORTS: Record<Sort, (a: WorkflowSummary, b: WorkflowSummary) => number> = {
  updated: (a, b) => b.updatedAt.localeCompare(a.updatedAt),
  created: (a, b) => b.createdAt.localeCompare(a.createdAt),
  name: (a, b) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
  lastRun: (a, b) => (b.lastExecution?.startedAt ?? '').localeCompare(a.lastExecution?.startedAt ?? ''),
};

/** A new workflow starts with a manual trigger. */
export function blankDefinition(name: string) {
  return {
    format: 'tandem.workflow/v1' as const,
    name,
    description: '',
    params: {},
    nodes: [{ id: 'start', type: 'trigger.manual', position: { x: 0, y: 0 }, config: {} }],
    edges: [],
  };
}

export function WorkflowList() {
  useTitle(() => 'Workflows');
  const navigate = useNavigate();
  const [search, setSearch] = createSignal('');
  const [query, setQuery] = createSignal('');
  const [sort, setSort] = createSignal<Sort>('updated');
  const [error, setError] = createSignal('');
  const [workflows, { refetch }] = createResource(query, (q) => listWorkflows(q));
  const sorted = createMemo(() => [...(workflows()?.items ?? [])].sort(SORTS[sort()]));

  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const onSearch = (value: string) => {
    setSearch(value);
    clearTimeout(timer);
    timer = setTimeout(() => setQuery(value.trim()), 250);
  };

  // Create
  const [newName, setNewName] = createSignal('');
  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const name = newName().trim();
    if (!name) return;
    setError('');
    try {
      const created = await createWorkflow(name, blankDefinition(name));
      navigate(`/workflows/${created.id}`);
    } catch (e) {
      setError(describeError(e));
    }
  };

  // Import: read, validate here, show problems; create only a valid document.
  const [importing, setImporting] = createSignal<{ fileName: string; document: unknown; problems: ApiProblem[]; name: string } | null>(null);
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setError('');
    let document: unknown;
    try {
      document = JSON.parse(await file.text());
    } catch (e) {
      setImporting({ fileName: file.name, document: null, problems: [{ message: `the file is not JSON: ${(e as Error).message}` }], name: '' });
      return;
    }
    const { validateWorkflow } = await import('@tandem/schema');
    const result = validateWorkflow(document);
    const name = typeof (document as { name?: unknown })?.name === 'string' ? (document as { name: string }).name : file.name.replace(/\.json$/, '');
    setImporting({ fileName: file.name, document, problems: result.ok ? [] : result.problems, name });
  };
  const confirmImport = async () => {
    const current = importing();
    if (!current || current.problems.length > 0) return;
    try {
      const created = await importWorkflow(current.document, current.name.trim() || undefined);
      setImporting(null);
      navigate(`/workflows/${created.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.problems.length) setImporting({ ...current, problems: e.problems });
      else setError(describeError(e));
    }
  };

  const exportOne = async (workflow: WorkflowSummary) => {
    try {
      const document = await exportWorkflow(workflow.id);
      download(`${fileSafe(workflow.name)}.tandem.json`, JSON.stringify(document, null, 2));
    } catch (e) {
      setError(describeError(e));
    }
  };
  const remove = async (workflow: WorkflowSummary) => {
    if (!confirm(`Delete "${workflow.name}" with its versions and runs? This cannot be undone.`)) return;
    try {
      await deleteWorkflow(workflow.id);
      await refetch();
    } catch (e) {
      setError(describeError(e));
    }
  };

  return (
    <section class="page workflow-list">
      <div class="page-head">
        <h1>Workflows</h1>
        <form class="inline" onSubmit={create}>
          <label class="sr-only" for="new-workflow-name">
            New workflow name
          </label>
          <input id="new-workflow-name" placeholder="New workflow name" value={newName()} onInput={(e) => setNewName(e.currentTarget.value)} />
          <button type="submit" class="primary" disabled={!newName().trim()}>
            Create
          </button>
        </form>
        <label class="button file-button">
          Import…
          <input
            type="file"
            accept="application/json,.json"
            class="sr-only"
            aria-label="Import a workflow file"
            onChange={(e) => {
              void onFile(e.currentTarget.files?.[0]);
              e.currentTarget.value = '';
            }}
          />
        </label>
      </div>

      <Show when={importing()}>
        {(current) => (
          <div class="panel import-panel" role="region" aria-label="Import">
            <h2>Import {current().fileName}</h2>
            <Show
              when={current().problems.length === 0}
              fallback={<ProblemList problems={current().problems} title="This file cannot be imported; nothing was created:" />}
            >
              <p>The file is a valid workflow.</p>
              <label>
                Name
                <input value={current().name} onInput={(e) => setImporting({ ...current(), name: e.currentTarget.value })} />
              </label>
            </Show>
            <div class="actions">
              <Show when={current().problems.length === 0}>
                <button type="button" class="primary" onClick={confirmImport}>
                  Import workflow
                </button>
              </Show>
              <button type="button" onClick={() => setImporting(null)}>
                {current().problems.length === 0 ? 'Cancel' : 'Close'}
              </button>
            </div>
          </div>
        )}
      </Show>

      <ErrorText message={error()} />

      <div class="toolbar">
        <label>
          Search
          <input type="search" value={search()} onInput={(e) => onSearch(e.currentTarget.value)} placeholder="Name contains…" />
        </label>
        <label>
          Sort by
          <select value={sort()} onChange={(e) => setSort(e.currentTarget.value as Sort)}>
            <option value="updated">Recently changed</option>
            <option value="name">Name</option>
            <option value="created">Newest</option>
            <option value="lastRun">Last run</option>
          </select>
        </label>
      </div>

      <Show when={workflows.error}>
        <p class="error" role="alert">
          {describeError(workflows.error)}
        </p>
      </Show>
      <Show when={workflows()} fallback={<p aria-busy="true">Loading…</p>}>
        <Show when={sorted().length > 0} fallback={<p class="empty">{query() ? 'No workflow matches.' : 'No workflows yet: create one or import a file.'}</p>}>
          <div class="table-scroll">
            <table class="list">
              <caption class="sr-only">Your workflows</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Version</th>
                  <th scope="col">Last run</th>
                  <th scope="col" class="hide-narrow">
                    Changed
                  </th>
                  <th scope="col">
                    <span class="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                <For each={sorted()}>
                  {(workflow) => (
                    <tr>
                      <td>
                        <A href={`/workflows/${workflow.id}`}>{workflow.name}</A>
                        <Show when={workflow.description}>
                          <div class="hint">{workflow.description}</div>
                        </Show>
                      </td>
                      <td>{workflow.latestVersion > 0 ? `v${workflow.latestVersion}` : 'draft'}</td>
                      <td>
                        <Show when={workflow.lastExecution} fallback={<span class="hint">never run</span>}>
                          {(run) => (
                            <A href={`/runs/${run().id}`} aria-label={`Last run of ${workflow.name}: ${run().status}`}>
                              <StatusBadge status={run().status} />
                            </A>
                          )}
                        </Show>
                      </td>
                      <td class="hide-narrow">{formatTime(workflow.updatedAt)}</td>
                      <td>
                        <div class="row-actions">
                          <button type="button" onClick={() => exportOne(workflow)} aria-label={`Export ${workflow.name}`}>
                            Export
                          </button>
                          <button type="button" class="danger" onClick={() => remove(workflow)} aria-label={`Delete ${workflow.name}`}>
                            Delete
                          </button>
                        </div>
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
          <p class="hint">{workflows()!.totalCount} workflow(s)</p>
        </Show>
      </Show>
    </section>
  );
}
