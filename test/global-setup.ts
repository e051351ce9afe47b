import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The CLI tests run the compiled `ferry` binary as a child process, so build it once from the
 * current sources. FERRY_SKIP_BUILD=1 skips it when only in-process tests are run.
 */
export default function setup(): void {
  if (process.env['FERRY_SKIP_BUILD'] === '1') return;
  const root = fileURLToPath(new URL('..', import.meta.url));
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
}
