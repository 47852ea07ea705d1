import { z } from 'zod';

export const expressionField = (description: string) => z.string().min(1, 'expression must not be empty').max(10_000).describe(`${description} (JSONata)`);

export const handleName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'handle must be a name: letters, digits, "_" and "-"')
  .max(100);

export const durationMs = (max: number) => z.number().int().min(0).max(max);

export const DAY_MS = 86_400_000;
