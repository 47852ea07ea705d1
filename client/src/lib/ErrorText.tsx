import { Show } from 'solid-js';

/** An error people can act on, announced to screen readers; nothing when there is none. */
export function ErrorText(props: { message: string | null | undefined }) {
  return (
    <Show when={props.message}>
      <p class="error" role="alert">
        {props.message}
      </p>
    </Show>
  );
}
