import { useNavigate } from '@solidjs/router';
import { createMemo, createResource, createSignal, For, Match, onCleanup, Show, Switch } from 'solid-js';
import { canvasModel } from '../editor/doc';
import { Canvas } from '../graph/Canvas';
import { ApiError, describeError, type ApiProblem } from '../lib/api';
import { JsonInput, parseJson } from '../lib/JsonInput';
import { DialogActions, Modal } from '../lib/Modal';
import { ProblemList } from '../lib/Problems';
import { FieldProblems } from '../templates/FieldProblems';
import { problemsByParameter } from '../templates/parameter-problems';
import { useTitle } from '../lib/title';
import { instantiateTemplate, listTemplates, type Template, type TemplateParameter } from '../lib/queries';

/** The template library: browse, search, filter by tag, preview the graph, instantiate with a parameter form. */
export default function TemplatesPage() {
  useTitle(() => 'Templates');
  const [search, setSearch] = createSignal('');
  const [query, setQuery] = createSignal('');
  const [tag, setTag] = createSignal('');
  const [templates] = createResource(
    () => [query(), tag()] as const,
    ([q, t]) => listTemplates(q, t),
  );
  const [allTags] = createResource(async () => [...new Set((await listTemplates('', '')).flatMap((t) => t.tags))].sort());
  const [using, setUsing] = createSignal<Template | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  return (
    <section class="page templates">
      <div class="page-head">
        <h1>Templates</h1>
      </div>
      <div class="toolbar">
        <label>
          Search
          <input
            type="search"
            value={search()}
            onInput={(e) => {
              setSearch(e.currentTarget.value);
              clearTimeout(timer);
              timer = setTimeout(() => setQuery(search().trim()), 250);
            }}
          />
        </label>
        <label>
          Tag
          <select value={tag()} onChange={(e) => setTag(e.currentTarget.value)}>
            <option value="">All</option>
            <For each={allTags() ?? []}>{(t) => <option value={t}>{t}</option>}</For>
          </select>
        </label>
      </div>
      <Show when={templates.error}>
        <p class="error" role="alert">
          {describeError(templates.error)}
        </p>
      </Show>
      <Show when={templates()} fallback={<p aria-busy="true">Loading…</p>}>
        <Show when={templates()!.length > 0} fallback={<p class="empty">No template matches.</p>}>
          <ul class="template-grid">
            <For each={templates()}>
              {(template) => {
                const model = createMemo(() => canvasModel(template.definition));
                return (
                  <li class="panel template-card">
                    <h2>{template.name}</h2>
                    <p class="hint">
                      {template.builtIn ? 'Built in' : `By ${template.author.name}`}
                      <For each={template.tags}>{(t) => <span class="tag">{t}</span>}</For>
                    </p>
                    <p>{template.description}</p>
                    <div class="template-preview">
                      <Canvas nodes={model().nodes} edges={model().edges} label={`Preview of ${template.name}`} readOnly preview />
                    </div>
                    <button type="button" class="primary" onClick={() => setUsing(template)}>
                      Use template<span class="sr-only"> {template.name}</span>
                    </button>
                  </li>
                );
              }}
            </For>
          </ul>
        </Show>
      </Show>
      <Show when={using()}>{(t) => <InstantiateDialog template={t()} onClose={() => setUsing(null)} />}</Show>
    </section>
  );
}

function initialText(parameter: TemplateParameter): string {
  if (parameter.default === undefined || parameter.default === null) return parameter.type === 'json' ? '' : '';
  if (parameter.type === 'json') return JSON.stringify(parameter.default, null, 2);
  return String(parameter.default);
}

function InstantiateDialog(props: { template: Template; onClose: () => void }) {
  const navigate = useNavigate();
  const [name, setName] = createSignal(props.template.name);
  const [values, setValues] = createSignal<Record<string, string>>(Object.fromEntries(props.template.parameters.map((p) => [p.name, initialText(p)])));
  const [error, setError] = createSignal('');
  const [problems, setProblems] = createSignal<ApiProblem[]>([]);
  const set = (key: string, value: string) => setValues({ ...values(), [key]: value });
  // Problems naming a parameter go next to its field; the rest under the form.
  const split = () =>
    problemsByParameter(
      problems(),
      props.template.parameters.map((p) => p.name),
    );
  const parsed = () => {
    const out: Record<string, unknown> = {};
    for (const p of props.template.parameters) {
      const text = values()[p.name] ?? '';
      if (text === '') continue;
      if (p.type === 'number') out[p.name] = Number(text);
      else if (p.type === 'boolean') out[p.name] = text === 'true';
      else if (p.type === 'json') {
        const r = parseJson(text);
        if (!r.ok) return null;
        out[p.name] = r.value;
      } else out[p.name] = text;
    }
    return out;
  };
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    const parameters = parsed();
    if (!parameters) return;
    setError('');
    setProblems([]);
    try {
      const created = await instantiateTemplate(props.template.id, name().trim() || null, parameters);
      navigate(`/workflows/${created.id}`);
    } catch (e) {
      setError(describeError(e));
      if (e instanceof ApiError) setProblems(e.problems);
    }
  };
  return (
    <Modal title={`Use "${props.template.name}"`} onClose={props.onClose}>
      <form class="stack" onSubmit={submit}>
        <label>
          Workflow name
          <input value={name()} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        <For each={props.template.parameters}>
          {(p) => {
            const id = `param-${p.name}`;
            return (
              <>
                <Switch>
                  <Match when={p.type === 'boolean'}>
                    <label class="checkbox">
                      <input type="checkbox" checked={values()[p.name] === 'true'} onChange={(e) => set(p.name, e.currentTarget.checked ? 'true' : 'false')} />
                      {p.name}
                      <span class="hint">{p.description}</span>
                    </label>
                  </Match>
                  <Match when={p.type === 'json'}>
                    <JsonInput
                      id={id}
                      label={`${p.name}${p.required ? ' (required)' : ''}`}
                      value={values()[p.name] ?? ''}
                      onInput={(v) => set(p.name, v)}
                      rows={3}
                      hint={p.description}
                    />
                  </Match>
                  <Match when={true}>
                    <label>
                      <span>
                        {p.name}
                        <Show when={p.required}>
                          <span class="required"> (required)</span>
                        </Show>
                        <Show when={p.type === 'secret'}>
                          <span class="hint"> secret name</span>
                        </Show>
                      </span>
                      <input
                        type={p.type === 'number' ? 'number' : 'text'}
                        step="any"
                        required={p.required}
                        value={values()[p.name] ?? ''}
                        onInput={(e) => set(p.name, e.currentTarget.value)}
                      />
                      <span class="hint">{p.description}</span>
                    </label>
                  </Match>
                </Switch>
                <FieldProblems id={`${id}-problems`} messages={split().byName.get(p.name)} />
              </>
            );
          }}
        </For>
        <Show when={error()}>
          <p class="error" role="alert">
            {split().byName.size > 0 ? 'Some parameters are not right: see the messages under them.' : error()}
          </p>
        </Show>
        <ProblemList problems={split().rest} />
        <DialogActions submit="Create workflow" disabled={parsed() === null} onCancel={props.onClose} />
      </form>
    </Modal>
  );
}
