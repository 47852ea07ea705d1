import { For } from 'solid-js';
import { NODE_TYPES, type NodeCategory } from '@tandem/schema';
import { NODE_TYPE_MIME } from '../graph/Canvas';

const CATEGORY_LABEL: Record<NodeCategory, string> = {
  trigger: 'Triggers',
  data: 'Data',
  logic: 'Logic',
  flow: 'Flow',
  integration: 'Integrations',
};

/** The node catalogue; a click adds the node in the middle of the view, a drag drops it where you let go. */
export function Palette(props: { disabled: boolean; onAdd: (type: string) => void }) {
  const categories = (): NodeCategory[] => [...new Set(NODE_TYPES.map((t) => t.category))];
  return (
    <nav class="palette" aria-label="Node palette">
      <For each={categories()}>
        {(category) => (
          <div class="palette-group">
            <h3>{CATEGORY_LABEL[category]}</h3>
            <ul>
              <For each={NODE_TYPES.filter((t) => t.category === category)}>
                {(type) => (
                  <li>
                    <button
                      type="button"
                      class="palette-item"
                      disabled={props.disabled}
                      title={type.description}
                      aria-label={`Add ${type.title}`}
                      data-type={type.type}
                      onClick={() => props.onAdd(type.type)}
                      draggable={!props.disabled}
                      onDragStart={(event) => {
                        event.dataTransfer?.setData(NODE_TYPE_MIME, type.type);
                        if (event.dataTransfer) event.dataTransfer.effectAllowed = 'copy';
                      }}
                    >
                      {type.title}
                    </button>
                  </li>
                )}
              </For>
            </ul>
          </div>
        )}
      </For>
    </nav>
  );
}
