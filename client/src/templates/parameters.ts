/** Template parameters as the "Save as template" dialog edits them, and what it sends to `saveAsTemplate`. */

export const PARAMETER_TYPES = ['string', 'number', 'boolean', 'secret', 'json'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterDraft {
  /** The workflow param it fills. */
  name: string;
  include: boolean;
  type: ParameterType;
  required: boolean;
  description: string;
  /** The default as typed; '' for none. */
  defaultText: string;
}

export interface ParameterInput {
  name: string;
  type: ParameterType;
  required: boolean;
  description: string;
  default: unknown;
}

export function guessType(value: unknown): ParameterType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return 'json';
}

export function formatDefault(type: ParameterType, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (type === 'json' || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** One row per workflow param, its current value as the default. */
export function draftsFromParams(params: Record<string, unknown> | undefined): ParameterDraft[] {
  return Object.entries(params ?? {}).map(([name, value]) => {
    const type = guessType(value);
    return { name, include: true, type, required: false, description: '', defaultText: formatDefault(type, value) };
  });
}

/** The default a row's text stands for, or why it cannot be one. '' is no default. */
export function parseDefault(type: ParameterType, text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '' && type !== 'string' && type !== 'secret') return { ok: true, value: null };
  switch (type) {
    case 'string':
    case 'secret':
      return { ok: true, value: text === '' ? null : text };
    case 'number': {
      const value = Number(text.trim());
      return Number.isFinite(value) ? { ok: true, value } : { ok: false, error: 'The default must be a number.' };
    }
    case 'boolean':
      if (text.trim() === 'true') return { ok: true, value: true };
      if (text.trim() === 'false') return { ok: true, value: false };
      return { ok: false, error: 'The default must be true or false.' };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (e) {
        return { ok: false, error: `The default is not valid JSON: ${(e as Error).message}` };
      }
  }
}

/** The `parameters` of `saveAsTemplate` for the included rows, or null while a default is not right. */
export function parameterInputs(drafts: readonly ParameterDraft[]): ParameterInput[] | null {
  const inputs: ParameterInput[] = [];
  for (const draft of drafts) {
    if (!draft.include) continue;
    const parsed = parseDefault(draft.type, draft.defaultText);
    if (!parsed.ok) return null;
    inputs.push({ name: draft.name, type: draft.type, required: draft.required, description: draft.description.trim(), default: parsed.value });
  }
  return inputs;
}
