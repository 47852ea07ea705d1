// Writes the API's SDL to schema/graphql/schema.graphql (a test fails when it drifts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printApiSchema } from './graphql/schema.js';

const target = fileURLToPath(new URL('../../schema/graphql/schema.graphql', import.meta.url));
mkdirSync(fileURLToPath(new URL('../../schema/graphql/', import.meta.url)), { recursive: true });
writeFileSync(target, await printApiSchema());
console.log(`wrote ${target}`);
