import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { projectTaskQueue } from '../engine/temporal/project-identity.js';
import type { CliContext } from './context.js';
import { CliExit, EXIT_INVALID } from './exit-codes.js';
import { GITIGNORE_LINES, initFiles, type InitOptions } from './init-templates.js';

/**
 * `ferry init`: a working project in the current folder (ferry.yaml, an import and an export
 * pipeline, sample data). It never overwrites: when any of its files exists it names them and
 * writes nothing. An existing .gitignore gets only the lines it lacks appended.
 */
export function initCommand(ctx: CliContext, options: { engine?: string; driver?: string }): void {
  const chosen = parseOptions(options, ctx.cwd);
  const files = initFiles(chosen);
  const existing = files.map(([path]) => path).filter((path) => existsSync(join(ctx.cwd, path)));
  if (existing.length > 0) {
    throw new CliExit(
      EXIT_INVALID,
      `ferry init: ${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}; nothing written (move ${existing.length === 1 ? 'it' : 'them'} away or edit by hand)`,
    );
  }
  for (const [path, content] of files) {
    const file = join(ctx.cwd, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content, { flag: 'wx' });
    ctx.stdout(`created ${path}`);
  }
  ctx.stdout(updateGitignore(join(ctx.cwd, '.gitignore')));
  ctx.stdout('');
  ctx.stdout('next:');
  if (chosen.driver === 'postgres') ctx.stdout('  export DATABASE_URL=postgres://user:password@host:5432/db   (the users connection)');
  if (chosen.engine === 'temporal') ctx.stdout('  npx ferry worker                     (on each worker machine; npx ferry dev-server for a local server)');
  ctx.stdout('  npx ferry validate                     check every pipeline under pipelines/');
  ctx.stdout('  npx ferry test                         run the cases of pipelines/import-users.test.yaml');
  ctx.stdout('  npx ferry run pipelines/import-users.yaml');
  ctx.stdout('  npx ferry run pipelines/export-users.yaml');
}

function parseOptions(options: { engine?: string; driver?: string }, cwd: string): InitOptions {
  const engine = options.engine ?? 'embedded';
  const driver = options.driver ?? 'sqlite';
  if (engine !== 'embedded' && engine !== 'temporal') throw new CliExit(EXIT_INVALID, `ferry init: --engine must be embedded or temporal, not "${engine}"`);
  if (driver !== 'sqlite' && driver !== 'postgres') throw new CliExit(EXIT_INVALID, `ferry init: --driver must be sqlite or postgres, not "${driver}"`);
  return { engine, driver, taskQueue: projectTaskQueue(basename(cwd)) };
}

/** Creates .gitignore, or appends the lines of GITIGNORE_LINES it lacks (changing none of its own). */
function updateGitignore(file: string): string {
  if (!existsSync(file)) {
    writeFileSync(file, `# Ferry: job state, exports and secrets stay out of git\n${GITIGNORE_LINES.join('\n')}\n`, { flag: 'wx' });
    return 'created .gitignore';
  }
  const text = readFileSync(file, 'utf8');
  const present = new Set(text.split(/\r?\n/).map((line) => line.trim()));
  const missing = GITIGNORE_LINES.filter((line) => !present.has(line) && !present.has(line.replace(/\/$/, '')));
  if (missing.length === 0) return '.gitignore already has what Ferry needs';
  const separator = text.length === 0 || text.endsWith('\n') ? '' : '\n';
  writeFileSync(file, `${text}${separator}# Ferry: job state, exports and secrets stay out of git\n${missing.join('\n')}\n`);
  return `added ${missing.join(' ')} to .gitignore`;
}
