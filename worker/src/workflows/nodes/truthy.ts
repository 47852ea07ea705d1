import type { JsonValue } from '@tandem/schema';

/** JSONata's `$boolean`: empty strings, arrays and objects, 0 and null are false. */
export function isTruthy(value: JsonValue): boolean {
  if (value === null) return false;
  if (Array.isArray(value)) return value.some(isTruthy);
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return Boolean(value);
}
