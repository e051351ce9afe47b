// @ts-check
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import boundaries from 'eslint-plugin-boundaries';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { builtinModules } from 'node:module';

/** Modules that do I/O or need Node: the pure folders (spec, plan, workflows) must not import them. */
const impure = [
  ...builtinModules,
  ...builtinModules.map((m) => `node:${m}`),
  'better-sqlite3',
  'pg',
  'fast-csv',
  'nodemailer',
  'commander',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];

/**
 * The layers (docs/architecture.md), by folder from the repository root; the first pattern that
 * matches a file decides its layer. To classify a new folder, add it above the catch-all:
 * to `pure` if it does no I/O (then it may only import pure code), or as a layer of its own if
 * other layers must not import it. Left out, a folder (src/ui, src/pipeline, ui/, test/…) is
 * `impure`: it may import anything, and no pure module may import it.
 */
const layers = [
  { type: 'pure', pattern: ['src/spec', 'src/plan', 'src/query', 'src/mapping', 'src/validation', 'workflows'] },
  { type: 'cli', pattern: 'src/cli' },
  { type: 'engine', pattern: 'src/engine' },
  { type: 'connections', pattern: 'src/connections' },
  { type: 'activities', pattern: 'activities' },
  { type: 'impure', pattern: '*' },
].map((layer) => ({ ...layer, partialMatch: false }));

/** Where printing is allowed: the CLI, and the entry points outside src/ (worker.ts, bin/, bench/, scripts/, tests). */
const noPrinting = {
  files: ['src/**/*.ts', 'activities/**/*.ts', 'workflows/**/*.ts'],
  ignores: ['src/cli/**'],
  rules: {
    'no-console': 'error',
    'no-restricted-syntax': [
      'error',
      {
        selector:
          "MemberExpression[object.type='MemberExpression'][object.object.name='process'][object.property.name=/^std(out|err)$/][property.name='write']",
        message: 'only the CLI (src/cli) prints: take a log callback from the caller',
      },
    ],
  },
};

export default tseslint.config(
  { ignores: ['dist/**', '.dist-*/**', 'node_modules/**', 'bench/data/**', 'bench/results/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX, boundaries },
    settings: {
      // Without these import-x parses no .ts file it follows, and no-cycle sees no cycle at all.
      'import-x/extensions': ['.ts', '.js'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      // eslint-plugin-boundaries resolves through the classic setting.
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/elements': layers,
      'boundaries/root-path': import.meta.dirname,
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Type-only imports are erased at build time: no-cycle and the layer rules look at value imports.
      // ignoreExternal: no cycle runs through a package, and following them into node_modules tripled the rule's time.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-unresolved': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          policies: [
            {
              from: { element: { type: 'pure' } },
              disallow: { to: { element: { type: '!pure' } }, dependency: { kind: 'value' } },
              message:
                'a pure module imports only pure modules (src/spec, src/plan, src/query, src/mapping, src/validation, workflows/); `import type` is fine',
            },
            {
              from: { element: { type: 'connections' } },
              disallow: { to: { element: { type: ['engine', 'activities'] } } },
              message: 'a connection never imports the engine or the activities',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/spec/**/*.ts', 'src/plan/**/*.ts', 'src/query/**/*.ts', 'src/mapping/**/*.ts', 'src/validation/**/*.ts', 'workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: impure.map((name) => ({ name, message: 'pure module: no I/O or Node built-ins here (STYLE.md rule 1)' })),
        },
      ],
    },
  },
  {
    // One module loads jsonata, with require: an import of it costs each thread ~11 MB (the file says why).
    files: ['src/**/*.ts', 'activities/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'jsonata', allowTypeImports: true, message: 'take jsonata from src/mapping/jsonata-library.ts (loaded with require)' }] },
      ],
    },
  },
  {
    // Loads the jsonata library with `require` (a memory matter, see the file); it does no I/O.
    files: ['src/mapping/jsonata-library.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: impure
            .filter((name) => name !== 'node:module')
            .map((name) => ({ name, message: 'pure module: no I/O or Node built-ins here (STYLE.md rule 1)' })),
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: impure.map((name) => ({ name, message: 'workflow code runs in the Temporal sandbox: no I/O' })),
        },
      ],
    },
  },
  noPrinting,
  { files: ['**/*.js'], ...tseslint.configs.disableTypeChecked },
);
