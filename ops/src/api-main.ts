// The production API process (the container image's `api` command): the API server with the
// built web client at `/`. Workers run as their own processes (worker-main.ts).
import { existsSync } from 'node:fs';
import { runApiProcess } from '@tandem/server';
import { CLIENT_DIST, serveClient } from './client.js';

if (!existsSync(`${CLIENT_DIST}index.html`)) console.warn(`${CLIENT_DIST} has no build: serving the API without the web client (npm run build:client).`);
await runApiProcess({
  extend: serveClient(),
  banner: (server) => `Tandem on ${server.url}/ (GraphQL at /graphql, liveness /healthz, readiness /readyz)`,
});
