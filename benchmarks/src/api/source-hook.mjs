// A Node module hook for `npm run bench:api`: compiles server/src/**/*.ts with swc, emitting
// decorator metadata. tsx (esbuild) does not emit `design:type` metadata, and type-graphql
// needs it for fields declared without an explicit type (`@Field() email!: string`), so the
// API server cannot be loaded from source through tsx alone. Everything else still goes
// through tsx. Registered by benchmarks/src/api.ts before anything imports the server.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const SERVER_SOURCE = new URL('../../../server/src/', import.meta.url).href;

export async function load(url, context, nextLoad) {
  if (!url.startsWith(SERVER_SOURCE) || !url.endsWith('.ts')) return nextLoad(url, context);
  const filename = fileURLToPath(url);
  const output = await swc.transform(await readFile(filename, 'utf8'), {
    filename,
    swcrc: false,
    configFile: false,
    sourceMaps: 'inline',
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      target: 'es2022',
      // As tsconfig.base.json: experimentalDecorators, emitDecoratorMetadata, ES2022 class fields.
      transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: true },
    },
    module: { type: 'es6' },
  });
  return { format: 'module', source: output.code, shortCircuit: true };
}
