import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundle, type WorkflowBundleOption } from '@temporalio/worker';
import { processLog } from './logging.js';

const here = fileURLToPath(import.meta.url);
/** True when running from TypeScript source (tests, `npm run dev`) rather than the built dist. */
const fromSource = here.endsWith('.ts');

export const WORKFLOWS_PATH = fileURLToPath(new URL(`./workflows/index.${fromSource ? 'ts' : 'js'}`, import.meta.url));

/**
 * Bundles the interpreter workflow for Temporal's sandbox. From source, webpack is taught the
 * repo's conventions: `.js` specifiers name `.ts` files, and `@tandem/schema` is its source.
 */
export async function bundleInterpreterWorkflow(): Promise<WorkflowBundle> {
  return bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    logger: quietLogger,
    // Loaded once per V8 context instead of once per run: pure modules with no per-run state.
    // @tandem/schema (with jsonata and re2js) was instantiated again for every run, building
    // every node type's zod schema each time: most of the workflow thread's time per run.
    // Preloaded modules are deep-frozen; schema/src/expressions/expression.ts keeps JSONata's
    // one write to its own export (the regex engine) working on a frozen export.
    preloadModules: ['zod', '@tandem/schema'],
    webpackConfigHook: (config) => {
      // The interpreter's own ES modules as one module (scope hoisting): modules that are not
      // preloaded are instantiated again for every run, and each costs a require and its exports.
      config.optimization = { ...config.optimization, concatenateModules: true };
      if (!fromSource) return config;
      config.resolve ??= {};
      config.resolve.extensionAlias = { '.js': ['.ts', '.js'] };
      config.resolve.conditionNames = ['tandem-source', ...(config.resolve.conditionNames ?? ['import', 'require', 'node', 'default'])];
      return config;
    },
  });
}

/**
 * Where `npm run build` writes the bundle (`worker/dist/workflow-bundle.js`). Bundling costs
 * a worker 3 s at start and about 150 MB of memory it never gives back; a worker started
 * from dist loads this file instead.
 */
export const PREBUILT_BUNDLE_PATH = fileURLToPath(new URL('./workflow-bundle.js', import.meta.url));

/** Bundles the interpreter and writes it where workers started from dist look for it. */
export async function writeInterpreterBundle(path: string = PREBUILT_BUNDLE_PATH): Promise<void> {
  if (!fromSource && prebuiltBundleIsCurrent(path)) return;
  writeFileSync(path, (await bundleInterpreterWorkflow()).code);
}

/**
 * The bundle a worker runs: the prebuilt file when it is newer than every module it was made
 * from (so `npm run dev`'s rebuilds are never run stale), else bundled now.
 */
export async function interpreterBundle(): Promise<WorkflowBundleOption> {
  if (!fromSource && prebuiltBundleIsCurrent(PREBUILT_BUNDLE_PATH)) return { codePath: PREBUILT_BUNDLE_PATH };
  return bundleInterpreterWorkflow();
}

function prebuiltBundleIsCurrent(path: string): boolean {
  return bundleIsCurrent(path, [dirname(WORKFLOWS_PATH), dirname(createRequire(import.meta.url).resolve('@tandem/schema'))]);
}

/** Whether the bundle at `path` exists and no JavaScript file under `sourceDirs` is newer. */
export function bundleIsCurrent(path: string, sourceDirs: string[]): boolean {
  let built: number;
  try {
    built = statSync(path).mtimeMs;
  } catch {
    return false;
  }
  return sourceDirs.every((dir) => newestModule(dir) <= built);
}

/** The newest modification time of the JavaScript files under `dir`. */
function newestModule(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.js')) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

const noop = () => {};
/** Keeps webpack's progress out of the output; warnings and errors still show. */
export const quietLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: (message: string, meta?: unknown) => processLog().warn({ meta }, message),
  error: (message: string, meta?: unknown) => processLog().error({ meta }, message),
};
