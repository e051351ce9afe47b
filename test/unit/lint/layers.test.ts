import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { ESLint, type Linter } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/cli.js';

/**
 * Runs the repository's own eslint.config.js over files planted where the layers are (a cycle
 * needs real files: no-cycle reads the modules it follows from disk). The probe folder under src/
 * is one the config does not list, so it also shows that a new folder is impure by default.
 */
const probe = `lint-probe-${process.pid}`;
const planted: Record<string, string> = {
  [`src/${probe}/cycle-a.ts`]: `import { two } from './cycle-b.js';\nexport const one = (): number => two() - 1;\n`,
  [`src/${probe}/cycle-b.ts`]: `import { one } from './cycle-a.js';\nexport const two = (): number => one() + 1;\n`,
  [`src/${probe}/prints.ts`]: `export function report(n: number): void {\n  console.log(n);\n  process.stderr.write(String(n));\n}\n`,
  [`src/${probe}/clean.ts`]: `export interface Count { n: number }\nexport const zero = (): number => 0;\n`,
  [`src/plan/${probe}.ts`]: `import { zero } from '../${probe}/clean.js';\nexport const start = zero();\n`,
  [`src/plan/${probe}-reexport.ts`]: `export { zero } from '../${probe}/clean.js';\nexport const later = async (): Promise<unknown> => import('../${probe}/clean.js');\n`,
  [`src/plan/${probe}-clean.ts`]: `import { rejectCodes } from '../validation/reject.js';\nimport type { Count } from '../${probe}/clean.js';\nexport const code = (c: Count): string | undefined => rejectCodes[c.n];\n`,
  [`src/connections/${probe}.ts`]: `import { ENGINE_NAMES } from '../engine/engine.js';\nexport const first = ENGINE_NAMES[0];\n`,
  [`src/cli/${probe}.ts`]: `export function say(n: number): void {\n  console.log(n);\n  process.stdout.write(String(n));\n}\n`,
};

/** The rule ids reported for each planted file. */
async function lintPlanted(rulesOff: string[] = []): Promise<Record<string, string[]>> {
  const eslint = new ESLint({
    cwd: repoRoot,
    overrideConfigFile: join(repoRoot, 'eslint.config.js'),
    ...(rulesOff.length ? { overrideConfig: { rules: Object.fromEntries(rulesOff.map((r) => [r, 'off'])) as Linter.RulesRecord } } : {}),
  });
  const results = await eslint.lintFiles(Object.keys(planted));
  return Object.fromEntries(results.map((r) => [relative(repoRoot, r.filePath).split(sep).join('/'), r.messages.map((m) => m.ruleId ?? m.message)]));
}

describe('lint (eslint.config.js) over planted files', () => {
  beforeAll(() => {
    for (const [path, text] of Object.entries(planted)) {
      mkdirSync(dirname(join(repoRoot, path)), { recursive: true });
      writeFileSync(join(repoRoot, path), text);
    }
  });
  afterAll(() => {
    for (const path of Object.keys(planted)) rmSync(join(repoRoot, path), { force: true });
    rmSync(join(repoRoot, 'src', probe), { recursive: true, force: true });
  });

  it('reports each planted mistake with its rule, and nothing on the clean files', async () => {
    expect(await lintPlanted()).toEqual({
      [`src/${probe}/cycle-a.ts`]: ['import-x/no-cycle'],
      [`src/${probe}/cycle-b.ts`]: ['import-x/no-cycle'],
      [`src/${probe}/prints.ts`]: ['no-console', 'no-restricted-syntax'],
      [`src/${probe}/clean.ts`]: [],
      [`src/plan/${probe}.ts`]: ['boundaries/dependencies'],
      [`src/plan/${probe}-reexport.ts`]: ['boundaries/dependencies', 'boundaries/dependencies'],
      [`src/plan/${probe}-clean.ts`]: [],
      [`src/connections/${probe}.ts`]: ['boundaries/dependencies'],
      [`src/cli/${probe}.ts`]: [],
    });
  }, 300_000);

  it('reports none of them once the rules are off (the findings come from these rules)', async () => {
    const found = await lintPlanted(['import-x/no-cycle', 'boundaries/dependencies', 'no-console', 'no-restricted-syntax']);
    expect(Object.values(found).flat()).toEqual([]);
  }, 300_000);
});
