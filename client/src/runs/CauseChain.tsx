import { For, Show } from 'solid-js';
import { causeChain } from '@tandem/schema';

/** An error and its causes, outermost first, each with its kind when it has one. */
export function CauseChain(props: { error: Parameters<typeof causeChain>[0] }) {
  return (
    <ol class="cause-chain">
      <For each={causeChain(props.error)}>
        {(e) => (
          <li>
            <Show when={e.type}>
              <code>{e.type}</code>{' '}
            </Show>
            {e.message}
          </li>
        )}
      </For>
    </ol>
  );
}
