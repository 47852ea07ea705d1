import { For, Show } from 'solid-js';

/** The API's problems with one form field, shown under it (announced as they appear). */
export function FieldProblems(props: { id: string; messages: readonly string[] | undefined }) {
  return (
    <Show when={(props.messages?.length ?? 0) > 0}>
      <div class="field-error" id={props.id} role="alert" data-testid={props.id}>
        <For each={props.messages}>{(message) => <p style={{ margin: 0 }}>{message}</p>}</For>
      </div>
    </Show>
  );
}
