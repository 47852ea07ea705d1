import type { ConfigOf, JsonValue, setVariables as setNodeType } from '@tandem/schema';
import type { NodeExecutor } from '../step.js';

export const setVariables: NodeExecutor<ConfigOf<typeof setNodeType>> = {
  async execute({ config, evaluate, setVariables: assign }) {
    const values: Record<string, JsonValue> = {};
    for (const name of Object.keys(config.variables)) values[name] = await evaluate(['variables', name]);
    assign(values);
    return { output: values };
  },
  compute({ config, evaluate, setVariables: assign }) {
    const values: Record<string, JsonValue> = {};
    for (const name of Object.keys(config.variables)) values[name] = evaluate(['variables', name]);
    assign(values);
    return { output: values };
  },
  // Its output is exactly the variables it set.
  reuse(output, { setVariables: assign }) {
    if (output !== null && typeof output === 'object' && !Array.isArray(output)) assign(output);
  },
};
