import type { JsonValue } from '@tandem/schema';

/** A node that does not compute passes on what it received: one input as is, several by node id. */
export function passThrough(inputs: Record<string, JsonValue>): JsonValue {
  const values = Object.values(inputs);
  return values.length === 1 ? values[0]! : inputs;
}
