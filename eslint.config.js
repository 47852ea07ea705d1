import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import solid from 'eslint-plugin-solid/configs/typescript';
import globals from 'globals';

// Package boundaries (docs/development.md, "Dependency rules"): packages reach each other
// only by name and `exports`, never by a relative path, and only along these arrows.
const PACKAGES = ['schema', 'worker', 'server', 'ops', 'benchmarks', 'client'];
const MAY_IMPORT = {
  schema: [],
  worker: ['schema'],
  server: ['schema', 'worker'],
  ops: ['schema', 'worker', 'server'],
  benchmarks: ['schema', 'worker', 'server', 'ops'],
  client: ['schema'],
};
const acrossPackages = {
  regex: `^(\\.\\./)+(${PACKAGES.join('|')})(/|$)`,
  message: 'import another package by its name (@tandem/…) and its exports, not by a relative path',
};
function boundaries(pkg, extraPatterns = []) {
  const allowed = [pkg, ...MAY_IMPORT[pkg]];
  return [
    'error',
    {
      patterns: [
        acrossPackages,
        {
          group: ['@tandem/*', ...allowed.flatMap((dep) => [`!@tandem/${dep}`, `!@tandem/${dep}/*`])],
          message: `${pkg} may import only ${MAY_IMPORT[pkg].map((dep) => `@tandem/${dep}`).join(', ') || 'no other @tandem package'} (docs/development.md, "Dependency rules")`,
        },
        ...extraPatterns,
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', '.tools/**', 'coverage/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    // Type-aware rules: a promise is awaited, returned, or explicitly let go (`void`).
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // JSX event handlers may be async (they handle their own errors): Solid ignores what they return.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  ...PACKAGES.map((pkg) => ({
    // Shipped code only: tests and scripts may drive the packages downstream of theirs (a
    // worker test starts Temporal with @tandem/ops), but still only by name.
    files: [`${pkg}/src/**/*.{ts,tsx,js,mjs}`],
    rules: { 'no-restricted-imports': boundaries(pkg) },
  })),
  {
    files: PACKAGES.flatMap((pkg) => [`${pkg}/test/**/*.{ts,tsx}`, `${pkg}/e2e/**/*.ts`, `${pkg}/scripts/**/*.ts`]),
    rules: { 'no-restricted-imports': ['error', { patterns: [acrossPackages] }] },
  },
  {
    // schema is pure: no I/O, no Node APIs.
    files: ['schema/src/**/*.ts'],
    rules: { 'no-restricted-imports': boundaries('schema', [{ group: ['node:*'], message: 'schema is pure: no Node APIs or I/O' }]) },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox.
    files: ['worker/src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': boundaries('worker', [
        { group: ['node:*', '../activities/*', 'redis'], message: 'workflow code must stay deterministic: no I/O imports' },
      ]),
    },
  },
  {
    // The web client runs in browsers, on Solid.
    files: ['client/src/**/*.{ts,tsx}', 'client/test/**/*.{ts,tsx}'],
    ...solid,
    languageOptions: { globals: { ...globals.browser } },
  },
);
