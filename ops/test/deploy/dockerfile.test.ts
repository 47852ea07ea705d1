import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../src/config.js';

// No Docker engine here: the Dockerfile's essentials are checked from its text, and every file
// the images run is checked to be one the build makes.

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  name: string;
  base: string;
  instructions: Instruction[];
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
  for (const line of logical) {
    const [, keyword = '', args = ''] = /^(\w+)\s*(.*)$/.exec(line) ?? [];
    const upper = keyword.toUpperCase();
    if (upper === 'FROM') {
      const [, base = '', name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ name: name ?? String(stages.length), base, instructions: [] });
    } else if (stages.length > 0) {
      stages.at(-1)!.instructions.push({ keyword: upper, args });
    }
  }
  return stages;
}

const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
const stage = (name: string) => {
  const found = dockerfile.find((s) => s.name === name);
  if (!found) throw new Error(`the Dockerfile has no stage "${name}"`);
  return found;
};
/** A stage's instructions with those of the stages it builds on (FROM <stage>). */
const lineage = (name: string): Instruction[] => {
  const s = stage(name);
  const parent = dockerfile.find((p) => p.name === s.base);
  return [...(parent ? lineage(parent.name) : []), ...s.instructions];
};
const last = (instructions: Instruction[], keyword: string) => instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
const commandOf = (name: string) => JSON.parse(last(lineage(name), 'CMD') ?? '[]') as string[];

describe('the Dockerfile', () => {
  it('builds in stages: compilers and dev dependencies stay out of the images', () => {
    expect(dockerfile.length).toBeGreaterThanOrEqual(3);
    const build = stage('build');
    expect(build.instructions.some((i) => i.keyword === 'RUN' && /npm run build\b/.test(i.args) && /build:client/.test(i.args))).toBe(true);
    // The runtime's /app comes from a stage that installed production dependencies only.
    const runtime = lineage('api');
    const copied = runtime.filter((i) => i.keyword === 'COPY' && /--from=/.test(i.args));
    const sources = new Set(copied.map((i) => /--from=(\S+)/.exec(i.args)![1]!));
    for (const source of sources) {
      const installs = stage(source).instructions.filter((i) => i.keyword === 'RUN' && /npm (ci|install)\b/.test(i.args));
      expect(installs.length, `stage ${source}`).toBeGreaterThan(0);
      for (const install of installs) expect(install.args, `stage ${source}`).toMatch(/--omit=dev/);
    }
    expect(runtime.some((i) => i.keyword === 'RUN' && /apt-get install|npm (ci|install)/.test(i.args))).toBe(false);
  });

  it('runs both images as a user that is not root', () => {
    for (const target of ['api', 'worker']) {
      const user = last(lineage(target), 'USER');
      expect(user, target).toBeDefined();
      expect(user, target).not.toMatch(/^(root|0)(:|$)/);
    }
  });

  it('gives the API image a health check on /healthz, and each image its own command', () => {
    const api = lineage('api');
    expect(last(api, 'HEALTHCHECK')).toMatch(/^(--\S+\s+)*CMD .*\/healthz/);
    expect(last(api, 'EXPOSE')).toBe('4000');
    expect(commandOf('api')).toEqual(['node', 'ops/dist/api-main.js']);
    expect(commandOf('worker')).toEqual(['node', 'ops/dist/worker-main.js']);
    // The default target (the last stage) is the API server.
    expect(dockerfile.at(-1)!.name).toBe('api');
  });

  it('runs files the build makes: each command from a compiled source, each copied path from a build step', () => {
    const buildConfig = JSON.parse(readFileSync(join(REPO_ROOT, 'tsconfig.build.json'), 'utf8')) as { references: Array<{ path: string }> };
    const compiled = buildConfig.references.map((r) => r.path.split('/')[0]!);
    for (const target of ['api', 'worker']) {
      const [, entry] = commandOf(target);
      const [workspace, dist, file] = entry!.split('/');
      expect(dist).toBe('dist');
      expect(compiled).toContain(workspace);
      expect(existsSync(join(REPO_ROOT, workspace!, 'src', file!.replace(/\.js$/, '.ts'))), entry).toBe(true);
    }
    const fromBuild = dockerfile.flatMap((s) => s.instructions).filter((i) => i.keyword === 'COPY' && /--from=build\b/.test(i.args));
    for (const copy of fromBuild) {
      const source = copy.args.split(/\s+/).filter((a) => !a.startsWith('--'))[0]!;
      const [, workspace, what] = /^\/app\/([^/]+)\/(.+)$/.exec(source) ?? [];
      if (what === 'dist' && workspace === 'client') {
        expect(JSON.parse(readFileSync(join(REPO_ROOT, 'client/package.json'), 'utf8')).scripts.build).toMatch(/vite build/);
      } else {
        expect(what, source).toBe('dist');
        expect(compiled, source).toContain(workspace);
      }
    }
    // The worker image runs from dist without webpack: `npm run build` writes the workflow bundle.
    expect(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).scripts.build).toMatch(/write-bundle/);
  });

  it('installs every workspace the lock file names (npm ci refuses a partial tree)', () => {
    const rootPackage = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
    for (const name of ['build', 'app']) {
      const copies = lineage(name)
        .filter((i) => i.keyword === 'COPY')
        .map((i) => i.args);
      for (const workspace of rootPackage.workspaces) expect(copies, `${name}: ${workspace}`).toContain(`${workspace}/package.json ${workspace}/`);
      expect(copies, name).toContain('package.json package-lock.json ./');
    }
  });

  it("has the files the root install scripts run before each npm ci (the postinstall's JSONata patch)", () => {
    const scripts = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    const files = ['preinstall', 'install', 'postinstall'].flatMap((hook) => [...(scripts[hook] ?? '').matchAll(/\bnode\s+(\S+)/g)].map((m) => m[1]!));
    expect(files).toContain('ops/scripts/patch-jsonata.mjs');
    for (const name of ['build', 'app']) {
      const instructions = lineage(name);
      const install = instructions.findIndex((i) => i.keyword === 'RUN' && /npm ci\b/.test(i.args));
      const copiedBefore = instructions
        .slice(0, install)
        .filter((i) => i.keyword === 'COPY')
        .map((i) => i.args.split(/\s+/)[0]);
      for (const file of files) expect(copiedBefore, `${name}: ${file}`).toContain(file);
    }
  });

  it('keeps local state, dependencies and secrets out of the build context', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['.git', '**/node_modules', '.data', '.tools', '.env']) expect(ignored).toContain(entry);
    // What the build needs must not be ignored.
    for (const needed of ['package-lock.json', 'schema', 'worker', 'server', 'ops', 'client', 'tsconfig.build.json']) expect(ignored).not.toContain(needed);
  });
});
