import { z } from 'zod';
import { expressionField } from './common.js';
import { defineNodeType } from './types.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

export const retryPolicySchema = z
  .object({
    maxAttempts: z.number().int().min(1).max(20).default(3),
    initialIntervalMs: z.number().int().min(0).max(600_000).default(500),
    backoffCoefficient: z.number().min(1).max(10).default(2),
    maximumIntervalMs: z.number().int().min(0).max(3_600_000).default(30_000),
  })
  .strict();

export type RetryPolicyConfig = z.output<typeof retryPolicySchema>;

export const httpRequest = defineNodeType({
  type: 'http.request',
  title: 'HTTP request',
  description: 'Calls an HTTP endpoint; retries with backoff on network errors, 429 and 5xx.',
  category: 'integration',
  config: z
    .object({
      method: z.enum(HTTP_METHODS).default('GET'),
      url: z.string().min(1).max(4_000).describe('http(s) URL; may contain {{ }} templates'),
      headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'not a valid header name'), z.string().max(8_000)).default({}),
      bodyExpression: expressionField('Request body; objects are sent as JSON').optional(),
      timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
      retry: retryPolicySchema.default({ maxAttempts: 3, initialIntervalMs: 500, backoffCoefficient: 2, maximumIntervalMs: 30_000 }),
      failOnHttpError: z.boolean().default(true).describe('Fail the step on a 4xx/5xx response'),
    })
    .strict(),
});
