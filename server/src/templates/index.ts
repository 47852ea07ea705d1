import type { JsonValue } from '@tandem/schema';
import { Template } from '../db/entities.js';
import { approvalFlow } from './library/approval-flow.js';
import { batchLoop } from './library/batch-loop.js';
import { dataEnrichment } from './library/data-enrichment.js';
import { escalation } from './library/escalation.js';
import { etl } from './library/etl.js';
import { forEachSubworkflow } from './library/for-each-subworkflow.js';
import { incidentNotification } from './library/incident-notification.js';
import { pollUntilDone } from './library/poll-until-done.js';
import { retryWithBackoff } from './library/retry-with-backoff.js';
import { scheduledReport } from './library/scheduled-report.js';
import { uptimeCheck } from './library/uptime-check.js';
import { webhookFanOut } from './library/webhook-fan-out.js';
import type { BuiltInTemplate } from './types.js';

export type { BuiltInParameter, BuiltInTemplate } from './types.js';

/** The library Tandem ships, in the order it is listed. Adding a template: a file in library/ and an entry here. */
export const BUILT_IN_TEMPLATES: readonly BuiltInTemplate[] = [
  approvalFlow,
  scheduledReport,
  webhookFanOut,
  retryWithBackoff,
  batchLoop,
  pollUntilDone,
  escalation,
  incidentNotification,
  dataEnrichment,
  etl,
  forEachSubworkflow,
  uptimeCheck,
];

/** The author id of built-in templates; no user has it. */
export const BUILT_IN_AUTHOR_ID = 'tandem';
export const BUILT_IN_ID_PREFIX = 'builtin:';
/** Built-in templates are listed after your own; this date keeps their cursors stable. */
const BUILT_IN_CREATED_AT = new Date('2025-01-01T00:00:00.000Z');

export function isBuiltInTemplateId(id: string): boolean {
  return id.startsWith(BUILT_IN_ID_PREFIX);
}

/** The built-in templates as Template rows (never stored: served from this code, so they follow it). */
export const BUILT_IN_TEMPLATE_ROWS: readonly Template[] = BUILT_IN_TEMPLATES.map((t) =>
  Object.assign(new Template(), {
    id: `${BUILT_IN_ID_PREFIX}${t.slug}`,
    authorId: BUILT_IN_AUTHOR_ID,
    name: t.name,
    description: t.description,
    tags: t.tags,
    parameters: t.parameters,
    definition: t.definition as unknown as JsonValue,
    createdAt: BUILT_IN_CREATED_AT,
  }),
);

export function builtInTemplate(id: string): Template | undefined {
  return BUILT_IN_TEMPLATE_ROWS.find((t) => t.id === id);
}
