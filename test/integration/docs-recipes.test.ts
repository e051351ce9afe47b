import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runFerry, tempDir } from '../helpers/cli.js';

/**
 * Every YAML block of the docs that starts with `# file: <path>` is written to a project of its
 * own (one per document) and checked by the real `ferry validate`, so a recipe cannot show a key
 * or an expression Ferry refuses. In docs/recipes every YAML block must carry such a line.
 */
const docsDir = join(repoRoot, 'docs');
const documents = readdirSync(docsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.md'))
  .sort();

function yamlBlocks(markdown: string): string[] {
  return [...markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}

// The recipes' ferry.yaml read their URLs from the environment; a closed port: validate checks syntax only.
const env = { LEGACY_DATABASE_URL: 'postgres://reader:pw@127.0.0.1:1/crm', USERS_DATABASE_URL: 'postgres://ferry:pw@127.0.0.1:1/users' };

describe('the YAML in docs/ passes ferry validate', () => {
  const cleanups: Array<() => void> = [];
  afterAll(() => cleanups.forEach((cleanup) => cleanup()));

  it('finds the recipes', () => {
    expect(documents.filter((d) => d.startsWith('recipes/') && d !== 'recipes/README.md')).toHaveLength(5);
  });

  for (const document of documents) {
    const blocks = yamlBlocks(readFileSync(join(docsDir, document), 'utf8'));
    const files = blocks.flatMap((block) => {
      const path = /^# file: (\S+)\n/.exec(block)?.[1];
      return path ? [{ path, text: block }] : [];
    });
    if (document.startsWith('recipes/') && document !== 'recipes/README.md') {
      it(`${document}: every YAML block names its file`, () => {
        expect(blocks.length).toBeGreaterThan(0);
        expect(files).toHaveLength(blocks.length);
      });
    }
    if (files.length === 0) continue;
    it(`${document}: ${files.map((f) => f.path).join(', ')}`, () => {
      const sampleCsv = /^```csv\n([\s\S]*?)^```$/m.exec(readFileSync(join(docsDir, document), 'utf8'))?.[1];
      const { dir, cleanup } = tempDir('ferry-docs-');
      cleanups.push(cleanup);
      for (const { path, text } of files) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
      let pipelines = files.map((f) => f.path).filter((p) => p.startsWith('pipelines/'));
      if (pipelines.length === 0) {
        // Only a ferry.yaml: load it through a minimal pipeline.
        mkdirSync(join(dir, 'pipelines'));
        writeFileSync(join(dir, 'pipelines/probe.yaml'), 'source: { file: users.json }\ntarget: { connection: users }\n');
        pipelines = ['pipelines/probe.yaml'];
      }
      // The data files are the user's: each source file the recipe reads is given as an empty file first.
      const first = runFerry(['validate', ...pipelines], { cwd: dir, env });
      for (const [, missing] of first.stdout.matchAll(/source file not found: (\S+)/g)) {
        mkdirSync(dirname(join(dir, missing!)), { recursive: true });
        writeFileSync(join(dir, missing!), '');
      }
      // validate refuses an empty CSV (no header row) or JSON file (no array), as the job would:
      // such a placeholder gets the document's sample CSV, or a JSON file of no users.
      const second = runFerry(['validate', ...pipelines], { cwd: dir, env });
      for (const [, empty] of second.stdout.matchAll(/source\.file: (\S+) (?:has no header row|holds no JSON array)/g)) {
        writeFileSync(join(dir, empty!), empty!.endsWith('.csv') ? (sampleCsv ?? '') : '[]');
      }
      const result = runFerry(['validate', ...pipelines], { cwd: dir, env });
      expect(result.stdout + result.stderr, document).toBe(pipelines.map((p) => `ok ${p}\n`).join(''));
      expect(result.code).toBe(0);
    });
  }
});
