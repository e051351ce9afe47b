import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCheckedPipeline } from '../../../src/project/check-source.js';
import { loadProject } from '../../../src/project/load-config.js';
import { loadPipeline } from '../../../src/project/load-pipeline.js';
import { planGitignore } from '../../../src/cli/init.js';
import { passed } from '../../../src/pipeline-test/run-cases.js';
import { checkedPair, testPipeline } from '../../../src/pipeline-test/test-pipeline.js';
import { TestProject } from '../../helpers/project.js';

/**
 * A path that is a regular file when checked and a named pipe when read: a stat, then a read of
 * the path, waits for a writer for ever (a synchronous read stops the whole process). Every file
 * `validate` and the loaders read is checked on the handle it reads. A child process flips the path
 * between a file and a pipe as fast as it can while the loader runs again and again; it then opens
 * each pipe's write end, which releases a reader stuck on it, so a failing run ends and says so.
 */
const SWAP = `
import os, sys, time
path, regular, pipe, seconds = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
end = time.time() + seconds
i = 0
while time.time() < end:
    for source in (regular, pipe):
        tmp = f"{path}.{i}"
        i += 1
        os.link(source, tmp)
        os.replace(tmp, path)
# Releases a reader blocked on the pipe, the only way a synchronous read of it returns.
for _ in range(50):
    try:
        os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
    except OSError:
        pass
    time.sleep(0.05)
os.link(regular, f"{path}.last")
os.replace(f"{path}.last", path)
`;

let p: TestProject;
let swapper: ChildProcess | undefined;
afterEach(() => {
  swapper?.kill();
  swapper = undefined;
  p.cleanup();
});

/** Flips `path` between a copy of `content` and a named pipe for `seconds`; resolves when the child has put the file back. */
function flip(path: string, content: string, seconds: number): Promise<void> {
  const regular = `${path}.regular`;
  const pipe = `${path}.pipe`;
  writeFileSync(regular, content);
  execFileSync('mkfifo', [pipe]);
  writeFileSync(path, content);
  const child = spawn('python3', ['-c', SWAP, path, regular, pipe, String(seconds)], { stdio: 'ignore' });
  swapper = child;
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

/** Runs `load` until the flipping ends; the longest single call, in ms. */
async function longestCall(load: () => unknown, flipping: Promise<void>): Promise<number> {
  let done = false;
  void flipping.then(() => (done = true));
  let longest = 0;
  while (!done) {
    const started = performance.now();
    await load();
    longest = Math.max(longest, performance.now() - started);
    // Lets the child's exit be seen between calls.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return longest;
}

describe('a file swapped for a named pipe between its check and its read', { timeout: 30_000 }, () => {
  it('the pipeline file: loading never waits on the pipe', async () => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: users.db }\n');
    p.write('users.csv', 'email\na@x.io\n');
    const pipeline = join(p.dir, 'import.yaml');
    const project = loadProject(p.dir, undefined, {});
    const flipping = flip(pipeline, 'source: { file: users.csv }\ntarget: { connection: users }\n', 2);
    const problems = new Set<string>();
    const longest = await longestCall(() => {
      const result = loadPipeline(project, p.dir, pipeline);
      if (!result.ok) for (const d of result.diagnostics) problems.add(d.message);
    }, flipping);
    expect(longest).toBeLessThan(1000);
    // Both outcomes were met: the file loaded, and the pipe refused by name.
    expect([...problems]).toContain('the pipeline file is a named pipe, not a file');
  });

  it('the config file: loading never waits on the pipe', async () => {
    p = new TestProject();
    const config = join(p.dir, 'ferry.yaml');
    const flipping = flip(config, 'connections:\n  users: { driver: sqlite, path: users.db }\n', 2);
    const longest = await longestCall(() => {
      try {
        loadProject(p.dir, undefined, {});
      } catch {
        // A pipe is refused (ConfigError): what counts is that no call waited on it.
      }
    }, flipping);
    expect(longest).toBeLessThan(1000);
  });

  it("validate's check for an empty source never waits on the pipe", async () => {
    p = new TestProject();
    p.write('ferry.yaml', 'connections:\n  users: { driver: sqlite, path: users.db }\n');
    p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\n');
    const project = loadProject(p.dir, undefined, {});
    const flipping = flip(join(p.dir, 'users.csv'), '\n\n', 2);
    const longest = await longestCall(() => loadCheckedPipeline(project, p.dir, 'import.yaml'), flipping);
    expect(longest).toBeLessThan(1000);
  });

  it("ferry test's pipeline and test files: a run never waits on the pipe, and says which file it is", async () => {
    p = new TestProject();
    const pipeline = p.write('import.yaml', 'source: { file: users.csv }\ntarget: { connection: users }\ncolumns:\n  email: $lowercase(email)\n');
    const testFile = join(p.dir, 'import.test.yaml');
    const cases = 'tests:\n  - name: lower\n    input: { email: A@X.IO }\n    expect:\n      row: { email: a@x.io }\n';
    const flipping = flip(testFile, cases, 2);
    const pair = checkedPair(pipeline, testFile) as Parameters<typeof testPipeline>[0];
    const messages = new Set<string>();
    const longest = await longestCall(async () => {
      const run = await testPipeline(pair, (path) => path);
      for (const d of run.diagnostics) messages.add(d.message);
      for (const r of run.results) messages.add(passed(r) ? 'passed' : 'failed');
    }, flipping);
    expect(longest).toBeLessThan(1000);
    expect([...messages].sort()).toEqual(['passed', 'the test file is a named pipe, not a file']);
  });

  it("ferry init's read of an existing .gitignore never waits on the pipe", async () => {
    p = new TestProject();
    const gitignore = join(p.dir, '.gitignore');
    const flipping = flip(gitignore, 'node_modules\n', 2);
    const outcomes = new Set<string>();
    const longest = await longestCall(() => {
      try {
        outcomes.add(planGitignore(gitignore, []).text === undefined ? 'complete' : 'lines added');
      } catch (err) {
        outcomes.add((err as Error).message);
      }
    }, flipping);
    expect(longest).toBeLessThan(1000);
    expect(outcomes).toContain('lines added');
  });
});
