import { DEFAULT_HANDLE, type ConfigOf, type JsonValue, type switchNode as switchNodeType } from '@tandem/schema';
import type { NodeExecutor } from '../step.js';

export const switchNode: NodeExecutor<ConfigOf<typeof switchNodeType>> = {
  async execute({ config, evaluate }) {
    const value = await evaluate(['expression']);
    const match = config.cases.find((c) => sameJson(c.value, value));
    return { output: { value, handle: match?.handle ?? DEFAULT_HANDLE }, handles: [match?.handle ?? DEFAULT_HANDLE] };
  },
};

function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => sameJson((a as Record<string, JsonValue>)[k]!, (b as Record<string, JsonValue>)[k] ?? null));
}
