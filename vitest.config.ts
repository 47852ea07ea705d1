import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import solid from 'vite-plugin-solid';

const source = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// Workspace packages resolve to their TypeScript source in tests; `graphql` must be one
// module instance (see docs/development.md).
const alias = {
  '@tandem/schema/collab': source('./schema/src/collab/index.ts'),
  '@tandem/schema': source('./schema/src/index.ts'),
  '@tandem/worker/events': source('./worker/src/events/index.ts'),
  '@tandem/worker': source('./worker/src/index.ts'),
  '@tandem/ops': source('./ops/src/index.ts'),
  '@tandem/server/worker-support': source('./server/src/worker-support.ts'),
  '@tandem/server': source('./server/src/index.ts'),
  // One graphql instance for type-graphql, Apollo and graphql-ws ("another realm" otherwise).
  graphql: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)),
};

// Browser tests: one file at a time, after the other projects and one browser after the other (two cores).
const endToEnd = {
  globalSetup: ['./worker/test/global-setup.ts', './client/e2e/global-setup.ts'],
  testTimeout: 120_000,
  hookTimeout: 180_000,
  fileParallelism: false,
  // A browser on a busy two-core machine can take longer than expect.poll's default second to show a
  // change (a Firefox run missed a just-drawn edge that way); a real failure still fails, later.
  expect: { poll: { timeout: 15_000 } },
};
// The e2e files that also run in Firefox ESR: all of them (sign-up, building by clicking, co-editing,
// deploy, runs, approvals, templates, import/export, replay, metrics, versions, the keyboard-only
// journey and the page crawl at phone sizes). A file that cannot run there for a real reason would
// be left out here, with the reason next to it.
const FIREFOX_CORE = ['client/e2e/**/*.test.ts'];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'schema', include: ['schema/test/**/*.test.ts'] },
      },
      {
        // The deployment files (Dockerfile, compose, Kubernetes), checked offline: no Temporal needed.
        resolve: { alias },
        test: { name: 'deploy', include: ['ops/test/deploy/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['worker/test/**/*.test.ts', 'server/test/**/*.test.ts', 'ops/test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'ops/test/deploy/**'],
          // Tandems the tests start never build the documentation site in the background (docs-site.test.ts builds it itself).
          env: { TANDEM_DOCS_BUILD: 'off' },
          globalSetup: ['./worker/test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One Temporal dev server and two cores: run files one at a time.
          fileParallelism: false,
        },
      },
      {
        // Web client components in jsdom.
        plugins: [solid()],
        resolve: { alias, conditions: ['tandem-source', 'browser', 'development'] },
        test: { name: 'client', include: ['client/test/**/*.test.{ts,tsx}'], environment: 'jsdom', setupFiles: ['./client/test/setup.ts'] },
      },
      {
        // The web client end to end: a real Tandem (Temporal, worker, API, built client) and headless Chromium.
        resolve: { alias },
        test: { name: 'e2e', include: ['client/e2e/**/*.test.ts'], ...endToEnd, sequence: { groupOrder: 1 }, env: { TANDEM_E2E_BROWSER: 'chromium' } },
      },
      {
        // The same tests (FIREFOX_CORE) in Firefox ESR over WebDriver BiDi (client/e2e/driver/).
        resolve: { alias },
        test: { name: 'e2e-firefox', include: FIREFOX_CORE, ...endToEnd, sequence: { groupOrder: 2 }, env: { TANDEM_E2E_BROWSER: 'firefox' } },
      },
    ],
  },
});
