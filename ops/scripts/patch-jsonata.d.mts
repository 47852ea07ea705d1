/** Marks a jsonata whose parser builds its symbol table once. */
export const MARKER: string;
/** [text as shipped, text after the patch]. */
export const EDITS: ReadonlyArray<readonly [string, string]>;
export function patchText(text: string): string | null;
export function unpatchText(text: string): string | null;
export function jsonataFile(): string;
