import { z } from 'zod';
import { defineNodeType } from './types.js';

const CRON_FIELD = /^(\*|\?|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

/** Accepts the five-field cron syntax Temporal schedules understand, plus the common macros and @every. */
export function isCronExpression(text: string): boolean {
  const trimmed = text.trim();
  if (CRON_MACROS.has(trimmed)) return true;
  if (/^@every\s+\d+(ms|s|m|h)$/.test(trimmed)) return true;
  const fields = trimmed.split(/\s+/);
  return fields.length === 5 && fields.every((field) => CRON_FIELD.test(field));
}

export const scheduleTrigger = defineNodeType({
  type: 'trigger.schedule',
  title: 'Schedule trigger',
  description: 'A Temporal Schedule starts runs on a cron expression.',
  category: 'trigger',
  trigger: true,
  config: z
    .object({
      cron: z
        .string()
        .max(200)
        .refine(isCronExpression, 'cron must have five fields (minute hour day month weekday) or be a macro like @daily')
        .describe('Five-field cron expression, e.g. "0 9 * * 1-5"'),
      timezone: z.string().max(64).default('UTC'),
    })
    .strict(),
  fieldKind: () => 'literal',
});
