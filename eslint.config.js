// @ts-check
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { builtinModules } from 'node:module';

/** Modules that do I/O or need Node: the pure folders (spec, plan, workflows) must not import them. */
const impure = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'better-sqlite3', 'pg', 'fast-csv', 'nodemailer', 'cli-progress', 'commander',
  '@temporalio/client', '@temporalio/worker', '@temporalio/activity', '@temporalio/testing',
];

export default tseslint.config(
  { ignores: ['dist/**', '.dist-*/**', 'node_modules/**', 'bench/data/**', 'bench/results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    files: ['src/spec/**/*.ts', 'src/plan/**/*.ts', 'src/query/**/*.ts', 'src/mapping/**/*.ts', 'src/validation/**/*.ts', 'workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: impure.map((name) => ({ name, message: 'pure module: no I/O or Node built-ins here (STYLE.md rule 1)' })),
        patterns: [{ group: ['**/activities/*', '**/activities', '!**/activities/types*'], allowTypeImports: true, message: 'workflows import activities with `import type` only' }],
      }],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: impure.map((name) => ({ name, message: 'workflow code runs in the Temporal sandbox: no I/O' })),
        patterns: [
          { group: ['**/activities/*', '**/activities'], allowTypeImports: true, message: 'import activities with `import type` only' },
          { group: ['**/src/engine/*', '**/src/connections/*', '**/src/sources/*', '**/src/notify/*', '**/src/cli/*', '**/src/project/*'], message: 'workflows import pure modules only' },
        ],
      }],
    },
  },
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
