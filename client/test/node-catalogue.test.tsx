import { render } from '@solidjs/testing-library';
import { describe, expect, it } from 'vitest';
import { NODE_TYPES, type NodeTypeDefinition } from '@tandem/schema';
import { ConfigForm, fieldsOf } from '../src/editor/ConfigForm';
import { Palette } from '../src/editor/Palette';

const catalogue = NODE_TYPES as unknown as ReadonlyArray<NodeTypeDefinition<object>>;

/** The config's fields as its zod object schema declares them. */
function configKeys(type: NodeTypeDefinition<object>): string[] {
  const shape = (type.config as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape) throw new Error(`${type.type}: the config is not an object schema, so no form can be generated for it`);
  return Object.keys(shape);
}

describe('the node catalogue in the client', () => {
  it('offers every node type in the palette', () => {
    const { container } = render(() => <Palette disabled={false} onAdd={() => {}} />);
    const offered = [...container.querySelectorAll<HTMLElement>('[data-type]')].map((button) => button.dataset.type);
    expect(offered.sort()).toEqual(catalogue.map((type) => type.type).sort());
  });

  it.each(catalogue.map((type) => [type.type, type] as const))('has a config form for %s with a control for every config field', (_name, type) => {
    const keys = configKeys(type);
    expect(fieldsOf(type).map((field) => field.name)).toEqual(keys);
    const { container, unmount } = render(() => <ConfigForm nodeId="n" nodeType={type} config={{}} readOnly={false} problems={() => []} onChange={() => {}} />);
    for (const key of keys) expect(container.querySelector(`[id="field-n-${key}"]`), key).not.toBeNull();
    if (keys.length === 0) expect(container.textContent).toContain('no settings');
    unmount();
  });
});
