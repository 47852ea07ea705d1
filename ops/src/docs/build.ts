// Building the documentation site: docs/ by VitePress into docs/.vitepress/dist (served at
// /docs, serve.ts). `npm start` builds it when it is missing or older than its sources.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY = fileURLToPath(new URL('../../../', import.meta.url));
export const DOCS_DIR = join(REPOSITORY, 'docs');
/** VitePress's output folder (its default), git-ignored. */
export const DOCS_DIST = join(DOCS_DIR, '.vitepress', 'dist');
/** Written into the build: the hash of the sources it was built from. */
const SOURCE_STAMP = '.tandem-source-hash';

/** The sidebar code the site's config runs (its source: the repository is there wherever the site is built). */
const SIDEBAR_SOURCE = join(REPOSITORY, 'ops', 'src', 'docs', 'pages.ts');

/**
 * A hash of everything the site is built from: the pages and images under docs/, the site's
 * config, and the sidebar code. Content, not times, so a checkout or a copy keeps a build current.
 */
export function docsSourceHash(docsDir = DOCS_DIR): string {
  const hash = createHash('sha256');
  // Each file by a name that does not depend on where docs/ is: its path under docs/.
  const files: Array<[name: string, path: string]> = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!name.startsWith('dist') && name !== 'cache' && name !== '.temp' && name !== 'node_modules') walk(path);
      } else files.push([relative(docsDir, path), path]);
    }
  };
  walk(docsDir);
  if (existsSync(SIDEBAR_SOURCE)) files.push(['(sidebar) pages.ts', SIDEBAR_SOURCE]);
  for (const [name, path] of files) hash.update(`${name}\0`).update(readFileSync(path)).update('\0');
  return hash.digest('hex');
}

/** Whether `dist` holds a build of the current sources. */
export function docsBuildIsCurrent(dist = DOCS_DIST, docsDir = DOCS_DIR): boolean {
  const stamp = join(dist, SOURCE_STAMP);
  return existsSync(join(dist, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8') === docsSourceHash(docsDir);
}

/**
 * `npm run docs`: builds the site with VitePress, then stamps it with its sources' hash.
 * Returns false (after saying why) when the build failed.
 */
export function buildDocs(log: (line: string) => void = console.log, docsDir = DOCS_DIR, dist = DOCS_DIST): boolean {
  const vitepress = join(REPOSITORY, 'node_modules', '.bin', 'vitepress');
  if (!existsSync(vitepress)) {
    log('The documentation site cannot be built: VitePress is not installed (npm ci installs it).');
    return false;
  }
  const hash = docsSourceHash(docsDir);
  // Built beside, then swapped in: a server keeps serving the previous build meanwhile.
  const next = `${dist}.next`;
  const result = spawnSync(vitepress, ['build', docsDir, '--outDir', next], { cwd: REPOSITORY, stdio: 'inherit' });
  if (result.status !== 0) {
    log('The documentation site could not be built (see the output above).');
    return false;
  }
  writeFileSync(join(next, SOURCE_STAMP), hash);
  rmSync(dist, { recursive: true, force: true });
  renameSync(next, dist);
  return true;
}

/** Builds the site when it is missing or stale; true when a build is there to serve. Fast when current. */
export function ensureDocsBuilt(log: (line: string) => void = console.log, dist = DOCS_DIST): boolean {
  if (docsBuildIsCurrent(dist)) return true;
  log(existsSync(join(dist, 'index.html')) ? 'Rebuilding the documentation site (docs/ changed)...' : 'Building the documentation site (first run only)...');
  return buildDocs(log, DOCS_DIR, dist) || existsSync(join(dist, 'index.html'));
}

/**
 * For `npm start`: when the site is missing or stale, builds it in a child process of its own
 * (`npm run docs -- --if-stale`), so Tandem starts at once; /docs answers when it is done.
 * TANDEM_DOCS_BUILD=off skips it (test and benchmark runs that never read the site).
 */
export function buildDocsInBackground(log: (line: string) => void = console.log, dist = DOCS_DIST): void {
  if (process.env.TANDEM_DOCS_BUILD === 'off' || docsBuildIsCurrent(dist)) return;
  log(
    `Building the documentation site in the background (${existsSync(join(dist, 'index.html')) ? 'docs/ changed' : 'first run only'}); /docs answers when it is done.`,
  );
  // `npm start` runs from dist: docs-build.js is built beside this file's folder.
  const child = spawn(process.execPath, [fileURLToPath(new URL('../docs-build.js', import.meta.url)), '--if-stale'], {
    cwd: REPOSITORY,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  child.unref();
}
