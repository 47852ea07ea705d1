import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printApiSchema } from '@tandem/server';

describe('the committed GraphQL SDL', () => {
  it('matches the schema the code builds (run `npm run schema:generate` after changing the API)', async () => {
    const committed = readFileSync(new URL('../../schema/graphql/schema.graphql', import.meta.url), 'utf8');
    expect(await printApiSchema()).toBe(committed);
  });
});
