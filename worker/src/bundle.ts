import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundle } from '@temporalio/worker';

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
      if (!fromSource) return config;
      config.resolve ??= {};
      config.resolve.extensionAlias = { '.js': ['.ts', '.js'] };
      config.resolve.conditionNames = ['tandem-source', ...(config.resolve.conditionNames ?? ['import', 'require', 'node', 'default'])];
      return config;
    },
  });
}

const noop = () => {};
/** Keeps webpack's progress out of the output; warnings and errors still show. */
export const quietLogger = {
  log: noop,
  trace: noop,
  debug: noop,
  info: noop,
  warn: (message: string, meta?: unknown) => console.warn(message, meta ?? ''),
  error: (message: string, meta?: unknown) => console.error(message, meta ?? ''),
};
