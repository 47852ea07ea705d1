import { createSignal, Show } from 'solid-js';

/** Parses JSON text; '' is `undefined`. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

/** A JSON editor (textarea) that says what is wrong as you type. */
export function JsonInput(props: { id: string; label: string; value: string; onInput: (text: string) => void; rows?: number; hint?: string }) {
  const [touched, setTouched] = createSignal(false);
  const result = () => parseJson(props.value);
  return (
    <div class="field" classList={{ 'has-error': !result().ok }}>
      <label for={props.id}>{props.label}</label>
      <textarea
        id={props.id}
        class="code"
        rows={props.rows ?? 6}
        spellcheck={false}
        value={props.value}
        onInput={(e) => {
          setTouched(true);
          props.onInput(e.currentTarget.value);
        }}
        aria-invalid={!result().ok}
        aria-describedby={`${props.id}-error`}
      />
      <Show when={props.hint}>
        <p class="hint">{props.hint}</p>
      </Show>
      <p class="field-error" id={`${props.id}-error`} aria-live="polite">
        {!result().ok && (touched() || props.value) ? `Not valid JSON: ${(result() as { error: string }).error}` : ''}
      </p>
    </div>
  );
}
