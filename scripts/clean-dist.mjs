// `npm pack` runs prepack, then prepare (the build): dist/ starts empty, so the tarball holds
// only what the current sources compile to, never the output of a deleted file.
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
