import { badInput } from './errors.js';
import { hasControlCharacter } from './graphql/guard.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

/** Page size from `first`, bounded; a value out of range is the caller's mistake, said plainly. */
export function pageSize(first: number | null | undefined, max = MAX_PAGE_SIZE): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, max);
  if (!Number.isInteger(first) || first < 0 || first > max) throw badInput(`first must be between 0 and ${max}`);
  return first;
}

/**
 * Opaque cursors: base64url of a JSON tuple (sort key, then ids). Every cursor of the API is
 * a number (a time in ms since the epoch, or a version number) followed by ids.
 */
export function encodeCursor(parts: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** Largest |time| a JavaScript Date holds (±100,000,000 days): beyond it `new Date(n)` is NaN. */
const MAX_TIME = 8.64e15;

/**
 * A cursor this API returned, or BAD_USER_INPUT. Its parts are checked, not just its shape: a
 * forged cursor must not carry NaN, Infinity, a date out of range, a huge string or a NUL
 * character into a query.
 */
export function decodeCursor(cursor: string | null | undefined, arity: number): Array<string | number> | null {
  if (cursor === null || cursor === undefined) return null;
  try {
    if (cursor.length > 500 || !/^[A-Za-z0-9_-]*$/.test(cursor)) throw new Error('not base64url');
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parts) || parts.length !== arity) throw new Error('bad shape');
    const [key, ...ids] = parts as unknown[];
    if (typeof key !== 'number' || !Number.isSafeInteger(key) || Math.abs(key) > MAX_TIME) throw new Error('bad sort key');
    if (!ids.every((id) => typeof id === 'string' && id.length > 0 && id.length <= 100 && !hasControlCharacter(id))) throw new Error('bad id');
    return parts as Array<string | number>;
  } catch {
    throw badInput('after is not a cursor returned by this API', { argument: 'after' });
  }
}

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
  totalCount: number;
  cursorOf(item: T): string;
}
