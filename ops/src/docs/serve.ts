// The built documentation site, served by the API server at /docs.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import express from 'express';
import { contentSecurityPolicy } from '@tandem/server';
import { DOCS_DIST } from './build.js';

/**
 * The theme's own inline scripts (appearance and platform checks) as CSP hashes: the site gets
 * the API server's policy, with these exact scripts allowed and no other inline script.
 */
function inlineScriptHashes(dist: string): string[] {
  const html = readFileSync(join(dist, 'index.html'), 'utf8');
  const hashes = [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)]
    .map((match) => match[1]!)
    .filter((body) => body.trim() !== '')
    .map((body) => `'sha256-${createHash('sha256').update(body).digest('base64')}'`);
  return [...new Set(hashes)];
}

/**
 * Express routes for the built site at /docs: pages with and without `.html`, the site's 404
 * page for the rest. A site built after the server started (`npm start` builds it in the
 * background) is served from then on.
 */
export function serveDocs(dist = DOCS_DIST): (app: express.Express) => void {
  let site: { scripts: string[]; notFoundPage: string | null } | null = null;
  const builtSite = () => {
    if (!site && existsSync(join(dist, 'index.html'))) {
      site = { scripts: inlineScriptHashes(dist), notFoundPage: existsSync(join(dist, '404.html')) ? join(dist, '404.html') : null };
    }
    return site;
  };
  const files = express.static(dist, {
    extensions: ['html'],
    dotfiles: 'ignore',
    setHeaders: (res, path) => {
      // Hashed assets never change; pages must always be fresh.
      res.setHeader('cache-control', path.includes(`${join(dist, 'assets')}/`) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (app) => {
    const router = express.Router();
    router.use((req, res, next) => {
      const built = builtSite();
      if (!built) return next('router'); // not built (yet): nothing here
      const policy = contentSecurityPolicy(req.headers.host);
      res.setHeader(
        'content-security-policy',
        built.scripts.length ? policy.replace("script-src 'self'", `script-src 'self' ${built.scripts.join(' ')}`) : policy,
      );
      next();
    });
    router.use(files);
    router.use((req, res, next) => {
      const notFoundPage = builtSite()?.notFoundPage;
      if ((req.method !== 'GET' && req.method !== 'HEAD') || !notFoundPage || !req.accepts('html')) return next();
      res.status(404).setHeader('cache-control', 'no-cache');
      res.sendFile(notFoundPage);
    });
    app.use('/docs', router);
  };
}
