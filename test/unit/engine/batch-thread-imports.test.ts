import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/cli.js';

/**
 * What a batch thread loads when it starts: every module statically reachable from its entry
 * (`import … from`, `export … from`; under verbatimModuleSyntax only `import type` is erased, and
 * an `import()` loads when it runs, not at start). Each thread pays for this graph in its own heap,
 * twice over once the old generation grows (bin.ts), so heavy packages a batch never uses stay out.
 */
function staticGraph(entry: string): { modules: Set<string>; packages: Map<string, string> } {
  const modules = new Set<string>();
  const packages = new Map<string, string>(); // package → the first module that imports it
  const queue = [resolve(repoRoot, entry)];
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (modules.has(file)) continue;
    modules.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^(?:import|export)(?!\s+type\b)[^;'"]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) queue.push(resolve(dirname(file), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:') && !packages.has(specifier)) packages.set(specifier, relative(repoRoot, file));
    }
  }
  return { modules, packages };
}

describe('the batch thread module graph', () => {
  const { modules, packages } = staticGraph(join('activities', 'batch-thread.ts'));

  it('follows the imports it reads (the walk itself works)', () => {
    expect(modules.has(resolve(repoRoot, 'activities/run-batch.ts'))).toBe(true);
    expect(modules.has(resolve(repoRoot, 'src/connections/sqlite.ts'))).toBe(true);
    expect([...packages.keys()]).toContain('better-sqlite3');
  });

  it('loads no package a batch does not use: no schema library, no engine SDK, no mail or HTTP client', () => {
    const heavy = ['zod', 'yaml', 'commander', 'nodemailer', 'pg', '@temporalio/client', '@temporalio/worker', 'fast-csv'];
    const loaded = heavy.filter((name) => packages.has(name)).map((name) => `${name} (from ${packages.get(name)})`);
    expect(loaded).toEqual([]);
  });

  it('leaves the export and migration paths to load when a batch of theirs runs', () => {
    const lazy = ['activities/run-export-batch.ts', 'activities/kept-page.ts', 'activities/read-batch-page.ts', 'src/targets/index.ts'];
    expect(lazy.filter((file) => modules.has(resolve(repoRoot, file)))).toEqual([]);
  });
});
