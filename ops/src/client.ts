// The built web client (client/dist), served by the API server at `/` with an SPA fallback.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { securityHeaders } from '@tandem/server';

/** client/dist, from ops/src or ops/dist alike. */
export const CLIENT_DIST = fileURLToPath(new URL('../../client/dist/', import.meta.url));
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

/** Paths the API and the documentation site own; the fallback never answers them. */
const API_PATHS = /^\/(graphql|hooks|healthz|readyz|collab|docs)(\/|$)/;

/** Builds the client when no build is there (a fresh clone); returns false when it could not. */
export function ensureClientBuilt(log: (line: string) => void = console.log, dist = CLIENT_DIST): boolean {
  if (existsSync(`${dist}index.html`)) return true;
  if (!existsSync(`${REPOSITORY}client/package.json`)) return false;
  log('Building the web client (client/dist is missing)...');
  const result = spawnSync('npm', ['run', 'build', '--silent', '--workspace', 'client'], { cwd: REPOSITORY, stdio: 'inherit' });
  if (result.status !== 0) {
    log('The web client could not be built; the API runs without it (see the output above).');
    return false;
  }
  return existsSync(`${dist}index.html`);
}

/** Express routes for the built client: static files, then index.html for any other GET that accepts HTML. */
export function serveClient(dist = CLIENT_DIST): (app: express.Express) => void {
  return (app) => {
    if (!existsSync(`${dist}index.html`)) return;
    // The API server sets these on every response already; set here too, so the client carries
    // them (CSP with scripts from this origin only, no framing…) in any app it is mounted on.
    app.use(securityHeaders());
    app.use(
      express.static(dist, {
        index: false,
        setHeaders: (res, path) => {
          // Hashed assets never change; index.html must always be fresh.
          res.setHeader('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        },
      }),
    );
    app.use((req, res, next) => {
      if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path) || req.path.startsWith('/assets/')) return next();
      if (!req.accepts('html')) return next();
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(`${dist}index.html`);
    });
  };
}
