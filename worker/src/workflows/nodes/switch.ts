import { DEFAULT_HANDLE, type ConfigOf, type JsonValue, type switchNode as switchNodeType } from '@tandem/schema';
import type { NodeExecutor, StepResult } from '../step.js';

type SwitchConfig = ConfigOf<typeof switchNodeType>;

export const switchNode: NodeExecutor<SwitchConfig> = {
  async execute({ config, evaluate }) {
    return route(config, await evaluate(['expression']));
  },
  compute({ config, evaluate }) {
    return route(config, evaluate(['expression']));
  },
};

function route(config: SwitchConfig, value: JsonValue): StepResult {
  const match = config.cases.find((c) => sameJson(c.value, value));
  return { output: { value, handle: match?.handle ?? DEFAULT_HANDLE }, handles: [match?.handle ?? DEFAULT_HANDLE] };
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => sameJson((a as Record<string, JsonValue>)[k]!, (b as Record<string, JsonValue>)[k] ?? null));
}
