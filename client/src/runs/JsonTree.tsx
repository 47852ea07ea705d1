import { createSignal, For, Show } from 'solid-js';
import { childPath } from './json-paths';

/**
 * A JSON value as a collapsible tree: each entry can copy its value or its path (as an
 * expression reads it), and entries whose value changed since the previous step are marked.
 */
export function JsonTree(props: { value: unknown; root: string; changed?: ReadonlySet<string>; label: string }) {
  return (
    <div class="json-tree" role="tree" aria-label={props.label}>
      <Entry name={props.root} path={props.root} value={props.value} changed={props.changed} depth={0} />
    </div>
  );
}

/** Children shown before "show more": a 10,000-item list stays quick to open. */
const PAGE = 100;

function preview(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length} item${value.length === 1 ? '' : 's'}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    return `{${keys.slice(0, 3).join(', ')}${keys.length > 3 ? ', …' : ''}}`;
  }
  if (value === undefined) return '—';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

async function copy(text: string, done: (message: string) => void): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    done('copied');
  } catch {
    done('cannot copy here');
  }
}

function Entry(props: { name: string; path: string; value: unknown; changed: ReadonlySet<string> | undefined; depth: number }) {
  const container = () => props.value !== null && typeof props.value === 'object';
  const [open, setOpen] = createSignal(props.depth < 2);
  const [shown, setShown] = createSignal(PAGE);
  const [copied, setCopied] = createSignal('');
  const flash = (message: string) => {
    setCopied(message);
    setTimeout(() => setCopied(''), 1500);
  };
  const entries = (): Array<[string | number, unknown]> =>
    Array.isArray(props.value) ? props.value.map((v, i) => [i, v]) : Object.entries(props.value as Record<string, unknown>);
  const changed = () => props.changed?.has(props.path) ?? false;
  return (
    <div
      role="treeitem"
      aria-expanded={container() ? open() : undefined}
      aria-selected={false}
      class="json-entry"
      classList={{ changed: changed() }}
      data-path={props.path}
    >
      <div class="json-row">
        <Show when={container()} fallback={<span class="json-toggle" aria-hidden="true" />}>
          <button type="button" class="json-toggle" aria-label={`${open() ? 'Collapse' : 'Expand'} ${props.path}`} onClick={() => setOpen(!open())}>
            {open() ? '▾' : '▸'}
          </button>
        </Show>
        <span class="json-key">{props.name}</span>
        <span class="json-value">{container() && open() ? (Array.isArray(props.value) ? '[' : '{') : preview(props.value)}</span>
        <Show when={changed()}>
          <span class="json-changed">changed</span>
        </Show>
        <span class="json-actions">
          <button
            type="button"
            class="link"
            aria-label={`Copy the value of ${props.path}`}
            onClick={() => void copy(JSON.stringify(props.value ?? null, null, 2), flash)}
          >
            copy
          </button>
          <button type="button" class="link" aria-label={`Copy the path ${props.path}`} onClick={() => void copy(props.path, flash)}>
            path
          </button>
          <span role="status" class="hint">
            {copied()}
          </span>
        </span>
      </div>
      <Show when={container() && open()}>
        <div role="group" class="json-children">
          <For each={entries().slice(0, shown())}>
            {([key, value]) => (
              <Entry
                name={typeof key === 'number' ? `[${key}]` : key}
                path={childPath(props.path, key)}
                value={value}
                changed={props.changed}
                depth={props.depth + 1}
              />
            )}
          </For>
          <Show when={entries().length > shown()}>
            <button type="button" class="link" onClick={() => setShown(shown() + PAGE * 10)}>
              Show more ({entries().length - shown()} left)
            </button>
          </Show>
        </div>
      </Show>
    </div>
  );
}
