import { badInput } from './errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Page size from `first`, bounded; a value out of range is the caller's mistake, said plainly. */
export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 0 || first > max) throw badInput(`first must be between 0 and ${max}`);
  return first;
}

/** Opaque cursors: base64url of a JSON tuple (sort key, id). */
export function encodeCursor(parts: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, arity: number): Array<string | number> | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    if (cursor.length > 500) throw new Error('too long');
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parts) || parts.length !== arity || !parts.every((p) => typeof p === 'string' || typeof p === 'number')) {
      throw new Error('bad shape');
    }
    return parts as Array<string | number>;
  } catch {
    throw badInput('after is not a cursor returned by this API');
  }
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
  cursorOf(item: T): string;
}
