// The production API process (the container image's `api` command): the API server with the
// built web client at `/`. Workers run as their own processes (worker-main.ts).
import { existsSync } from 'node:fs';
import { runApiProcess } from '@tandem/server';
import { processLog } from '@tandem/worker';
import { CLIENT_DIST, serveClient } from './client.js';
import { releaseMemoryWhenIdle } from './memory-release.js';

releaseMemoryWhenIdle();

await runApiProcess({
  extend: serveClient(),
  banner: (server) => `Tandem on ${server.url}/ (GraphQL at /graphql, liveness /healthz, readiness /readyz)`,
});
// After the API process named its logger: the warning is one of its JSON lines.
if (!existsSync(`${CLIENT_DIST}index.html`)) processLog().warn(`${CLIENT_DIST} has no build: serving the API without the web client (npm run build:client).`);
