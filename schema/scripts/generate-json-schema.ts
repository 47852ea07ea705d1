/** Writes schema/workflow.schema.json from the zod schemas. Run with `npm run schema:generate`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildWorkflowJsonSchema } from '@tandem/schema';

const target = fileURLToPath(new URL('../workflow.schema.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(buildWorkflowJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target}`);
