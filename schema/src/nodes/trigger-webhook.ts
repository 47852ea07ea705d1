import { z } from 'zod';
import { defineNodeType } from './types.js';

export const webhookTrigger = defineNodeType({
  type: 'trigger.webhook',
  title: 'Webhook trigger',
  description: 'An HTTP request to /hooks/<workflowId>/<path> starts a run; optionally answers with its result.',
  category: 'trigger',
  trigger: true,
  config: z
    .object({
      path: z
        .string()
        .min(1)
        .max(200)
        .regex(/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/, 'path may contain letters, digits, "/", "_", "." and "-"')
        .describe('Path under /hooks/<workflowId>/'),
      respond: z.boolean().default(false).describe("Answer the request with the run's result"),
      responseTimeoutMs: z.number().int().min(100).max(300_000).default(30_000),
    })
    .strict(),
  fieldKind: () => 'literal',
});
