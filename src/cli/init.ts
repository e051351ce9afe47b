import { existsSync, lstatSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { projectTaskQueue } from '../engine/temporal/project-identity.js';
import { displayPath, enclosingConfig } from '../project/load-config.js';
import { readRegularFileSync } from '../sources/regular-file.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { EXPORTS_LINE, GITIGNORE_LINES, initFiles, type InitOptions } from './init-templates.js';

/**
 * `ferry init`: a working project in the current folder (ferry.yaml, an import and an export
 * pipeline, sample data). It never overwrites: when any of its files exists it names them and
 * writes nothing. An existing .gitignore gets only the lines it lacks appended. Everything that
 * could stop it is checked before the first write, so a refusal never leaves half a project.
 */
export function initCommand(ctx: CliContext, options: { engine?: string; driver?: string; nested?: boolean }): void {
  const installed = installedPackage(ctx.cwd);
  const chosen = { ...parseOptions(options, ctx.cwd), packagePath: installed ?? DEFAULT_PACKAGE_PATH };
  const files = initFiles(chosen);
  refuseNesting(ctx.cwd, options.nested === true);
  const blocking = [...new Set(files.flatMap(([path]) => parentFolders(path)))].filter((folder) => {
    const stat = statOf(join(ctx.cwd, folder));
    return stat !== undefined && !stat.isDirectory();
  });
  if (blocking.length > 0) throw new CliExit(EXIT_INVALID, `ferry init: ${blocking.join(', ')} must be a folder, not a file; nothing written (move it away)`);
  // lstat: a dangling symlink exists too (writing through it would create a file elsewhere).
  const existing = files.map(([path]) => path).filter((path) => lstatOf(join(ctx.cwd, path)) !== undefined);
  if (existing.length > 0) {
    throw new CliExit(
      EXIT_INVALID,
      `ferry init: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing written (move ${existing.length === 1 ? 'it' : 'them'} away or edit by hand)`,
    );
  }
  // An exports/ already here is the repository's own: ignoring it would hide its new files from git.
  const ownExports = lstatOf(join(ctx.cwd, 'exports')) !== undefined;
  const gitignore = planGitignore(join(ctx.cwd, '.gitignore'), ownExports ? [EXPORTS_LINE] : []);
  for (const [path, content] of files) {
    const file = join(ctx.cwd, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content, { flag: 'wx' });
    ctx.stdout(`created ${path}`);
  }
  if (gitignore.text !== undefined) writeFileSync(join(ctx.cwd, '.gitignore'), gitignore.text, gitignore.created ? { flag: 'wx' } : {});
  ctx.stdout(gitignore.note);
  if (ownExports) ctx.stdout(`exports/ was already here: ${EXPORTS_LINE} not added to .gitignore (add it if the folder only holds exports)`);
  if (installed === undefined) {
    ctx.stdout(`no ${DEFAULT_PACKAGE_PATH} here or above: the $schema lines resolve once Ferry is installed here (npm install --save-dev ferry)`);
  }
  ctx.stdout('');
  ctx.stdout('next:');
  if (chosen.driver === 'postgres') ctx.stdout('  export DATABASE_URL=postgres://user:password@host:5432/db   (the users connection)');
  if (chosen.engine === 'temporal') ctx.stdout('  npx ferry worker                     (on each worker machine; npx ferry dev-server for a local server)');
  ctx.stdout('  npx ferry validate                     check every pipeline under pipelines/');
  ctx.stdout('  npx ferry test                         run the cases of pipelines/import-users.test.yaml');
  ctx.stdout('  npx ferry run pipelines/import-users.yaml');
  ctx.stdout('  npx ferry run pipelines/export-users.yaml');
}

/**
 * A project inside another one is seldom meant (init run in a subfolder): every command run from
 * here would use the new ferry.yaml, and the outer project's commands refuse the pipelines here
 * as another project's. Its own ferry.yaml is named by the "already exists" refusal instead.
 */
function refuseNesting(cwd: string, nested: boolean): void {
  const parent = enclosingConfig(dirname(cwd));
  if (parent === undefined || nested || dirname(cwd) === cwd) return;
  throw new CliExit(
    EXIT_INVALID,
    `ferry init: this folder is inside the Ferry project of ${displayPath(cwd, parent)}; nothing written (run ferry commands from there, or ferry init --nested for a separate project here)`,
  );
}

const DEFAULT_PACKAGE_PATH = 'node_modules/ferry';

/**
 * The package as editors find it from the project: node_modules/ferry in the project folder or the
 * nearest folder above that has it (a monorepo installs at its root), relative and `/`-separated;
 * undefined when none has (a global install: the lines then point where a local install goes).
 */
function installedPackage(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const candidate = join(dir, DEFAULT_PACKAGE_PATH);
    if (existsSync(join(candidate, 'schema', 'pipeline.schema.json'))) return relative(cwd, candidate).split(sep).join('/');
    if (dirname(dir) === dir) return undefined;
  }
}

function parseOptions(options: { engine?: string; driver?: string }, cwd: string): Omit<InitOptions, 'packagePath'> {
  const engine = options.engine ?? 'embedded';
  const driver = options.driver ?? 'sqlite';
  if (engine !== 'embedded' && engine !== 'temporal') throw new CliExit(EXIT_INVALID, `ferry init: --engine must be embedded or temporal, not "${engine}"`);
  if (driver !== 'sqlite' && driver !== 'postgres') throw new CliExit(EXIT_INVALID, `ferry init: --driver must be sqlite or postgres, not "${driver}"`);
  return { engine, driver, taskQueue: projectTaskQueue(basename(cwd)) };
}

/** `pipelines/data/users.csv` → `pipelines`, `pipelines/data`. */
function parentFolders(path: string): string[] {
  const parts = path.split('/').slice(0, -1);
  return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** The entry at `path` (a dangling symlink too); undefined when nothing is there, or a file stands where a folder of it should be. */
function lstatOf(path: string): ReturnType<typeof lstatSync> | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** What `path` is, following symlinks (a dangling one: the link itself). */
function statOf(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return lstatOf(path);
  }
}

/** A .gitignore larger than this is not one init should edit. */
const GITIGNORE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * What to write to .gitignore: the whole file when there is none, else its text with the lines of
 * GITIGNORE_LINES it lacks appended (changing none of its own); `text` undefined when it has them all.
 */
export function planGitignore(file: string, leaveOut: string[]): { text?: string; created: boolean; note: string } {
  const header = '# Ferry: job state, exports and secrets stay out of git';
  const lines = GITIGNORE_LINES.filter((line) => !leaveOut.includes(line));
  const stat = statOf(file);
  if (stat === undefined) return { text: `${header}\n${lines.join('\n')}\n`, created: true, note: 'created .gitignore' };
  let text: string;
  try {
    // From one checked handle: a path swapped for a named pipe since the stat would block the read for ever.
    const read = stat.isFile() ? readRegularFileSync(file, GITIGNORE_MAX_BYTES) : undefined;
    if (read === undefined || 'notFile' in read) throw new Error('not a regular file');
    if ('tooLarge' in read) throw new Error(`larger than ${GITIGNORE_MAX_BYTES / 1024 / 1024} MiB`);
    text = read.bytes.toString('utf8');
  } catch (err) {
    throw new CliExit(
      EXIT_INVALID,
      `ferry init: .gitignore cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); nothing written`,
    );
  }
  // `.ferry`, `/.ferry` and `.ferry/` all keep the state dir out of git: the user's spelling stays.
  const bare = (line: string): string => line.trim().replace(/^\//, '').replace(/\/$/, '');
  const present = new Set(text.split(/\r?\n/).map(bare));
  const missing = lines.filter((line) => !present.has(bare(line)));
  if (missing.length === 0) return { created: false, note: '.gitignore already has what Ferry needs' };
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const separator = text.length === 0 || text.endsWith('\n') ? '' : eol;
  return { text: `${text}${separator}${[header, ...missing].join(eol)}${eol}`, created: false, note: `added ${missing.join(' ')} to .gitignore` };
}
