import { For, Index, Match, Show, Switch } from 'solid-js';
import { formatDefault, parseDefault, PARAMETER_TYPES, type ParameterDraft, type ParameterType } from './parameters';
import './templates.css';

/**
 * The parameters of a template being saved: one row per workflow param, with whether it
 * becomes a parameter, its type, whether it is required, a description for the form, and a
 * default (checked against the type as you type).
 */
export function ParameterEditor(props: { parameters: ParameterDraft[]; onChange: (parameters: ParameterDraft[]) => void }) {
  const update = (index: number, patch: Partial<ParameterDraft>) => props.onChange(props.parameters.map((p, i) => (i === index ? { ...p, ...patch } : p)));
  const retype = (index: number, type: ParameterType) => {
    const current = props.parameters[index]!;
    // Keep a default that still fits; a boolean starts from false.
    const parsed = parseDefault(current.type, current.defaultText);
    const carried = parsed.ok ? formatDefault(type, parsed.value) : current.defaultText;
    update(index, { type, defaultText: parseDefault(type, carried).ok ? carried : type === 'boolean' ? 'false' : '' });
  };
  return (
    <fieldset class="parameter-editor">
      <legend>Parameters (the workflow's params)</legend>
      <Show when={props.parameters.length > 0} fallback={<p class="hint">This workflow has no params; the template will have no parameters.</p>}>
        <Index each={props.parameters}>
          {(p, i) => {
            const id = `template-param-${i}`;
            const check = () => parseDefault(p().type, p().defaultText);
            return (
              <div class="parameter-row" classList={{ excluded: !p().include }} role="group" aria-label={`Parameter ${p().name}`}>
                <label class="checkbox parameter-name">
                  <input type="checkbox" checked={p().include} onChange={(e) => update(i, { include: e.currentTarget.checked })} />
                  {p().name}
                </label>
                <Show when={p().include}>
                  <div class="parameter-fields">
                    <label>
                      Type
                      <select value={p().type} onChange={(e) => retype(i, e.currentTarget.value as ParameterType)}>
                        <For each={PARAMETER_TYPES}>{(t) => <option value={t}>{t === 'secret' ? 'secret (a name)' : t}</option>}</For>
                      </select>
                    </label>
                    <label class="checkbox">
                      <input type="checkbox" checked={p().required} onChange={(e) => update(i, { required: e.currentTarget.checked })} />
                      Required
                    </label>
                    <label class="wide">
                      Description
                      <input value={p().description} onInput={(e) => update(i, { description: e.currentTarget.value })} placeholder="Shown under the field" />
                    </label>
                    <Switch>
                      <Match when={p().type === 'boolean'}>
                        <label class="checkbox">
                          <input
                            type="checkbox"
                            checked={p().defaultText === 'true'}
                            onChange={(e) => update(i, { defaultText: e.currentTarget.checked ? 'true' : 'false' })}
                          />
                          Default: on
                        </label>
                      </Match>
                      <Match when={true}>
                        <label class="wide">
                          Default
                          <input
                            class={p().type === 'json' ? 'code' : undefined}
                            inputMode={p().type === 'number' ? 'decimal' : undefined}
                            value={p().defaultText}
                            onInput={(e) => update(i, { defaultText: e.currentTarget.value })}
                            aria-invalid={!check().ok}
                            aria-describedby={`${id}-default-error`}
                            placeholder={p().type === 'secret' ? 'the name of a secret' : 'none'}
                          />
                        </label>
                      </Match>
                    </Switch>
                    <p class="field-error wide" id={`${id}-default-error`} aria-live="polite">
                      {(() => {
                        const result = check();
                        return result.ok ? '' : result.error;
                      })()}
                    </p>
                  </div>
                </Show>
              </div>
            );
          }}
        </Index>
      </Show>
    </fieldset>
  );
}
