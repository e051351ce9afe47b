import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where things are, found from this compiled file (`<build>/bench/paths.js`), so the suite runs
 * the CLI it was built with — `dist/` or a private build folder alike.
 */
export const buildRoot = fileURLToPath(new URL('..', import.meta.url));
export const repoRoot = dirname(buildRoot);
export const ferryBin = fileURLToPath(new URL('../src/cli/bin.js', import.meta.url));
export const rssProbe = new URL('./rss-probe.js', import.meta.url).href;
