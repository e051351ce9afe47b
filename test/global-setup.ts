import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The CLI tests run the compiled `ferry` as a child process, so build it once from the current
 * sources: into dist/, or into FERRY_DIST (a folder inside the repo) so that several people
 * testing in one checkout do not overwrite each other's build. FERRY_SKIP_BUILD=1 skips it when
 * only in-process tests run.
 */
export default function setup(): void {
  if (process.env['FERRY_SKIP_BUILD'] === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  const outDir = process.env['FERRY_DIST'] ?? 'dist';
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json', '--outDir', outDir], { cwd: root, stdio: 'inherit' });
}
