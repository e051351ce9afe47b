import { lstatSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { defaultConfig, withDefaultConnection, type FerryConfig } from '../spec/config-schema.js';
import { formatDiagnostic, type Diagnostic } from '../spec/diagnostics.js';
import { parseConfig } from '../spec/parse-config.js';
import { SecretMasker } from '../spec/secrets.js';
import { decodeLoosely } from '../spec/percent-decoding.js';
import { readFerryFile } from './read-ferry-file.js';

export const CONFIG_FILE = 'ferry.yaml';

/** The project a command runs in: its config with paths made absolute, and what to mask in output. */
export interface Project {
  /** Folder of ferry.yaml (or the current folder without one): relative paths in the config resolve here. */
  rootDir: string;
  configFile?: string;
  /** The config was named (`--config`), not found from the current folder: it may serve pipelines of any folder. */
  configNamed?: true;
  config: FerryConfig;
  /** Absolute state dir: journal, artifacts, default SQLite store. */
  stateDir: string;
  masker: SecretMasker;
}

export class ConfigError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'ConfigError';
  }
}

/** Finds ferry.yaml in `cwd` or the nearest parent (or takes `explicit`), reads and checks it. */
export function loadProject(cwd: string, explicit: string | undefined, env: NodeJS.ProcessEnv): Project {
  const configFile = explicit ? resolve(cwd, explicit) : findUp(cwd, CONFIG_FILE);
  if (!configFile) return withAbsolutePaths(cwd, undefined, defaultConfig(), new SecretMasker());
  const shown = explicit ?? displayPath(cwd, configFile);
  const parsed = parseConfig(shown, readConfigFile(configFile, shown), env);
  const masker = new SecretMasker(parsed.secrets);
  if (!parsed.config) throw new ConfigError(parsed.diagnostics.map((d) => ({ ...d, message: masker.mask(d.message) })));
  const project = withAbsolutePaths(dirname(configFile), configFile, withDefaultConnection(parsed.config), masker);
  return explicit ? { ...project, configNamed: true } : project;
}

/**
 * The ferry.yaml of the project a pipeline file lies in (the nearest one above it) when that is not
 * the one in use, found from the current folder: `ferry run ../other/pipelines/x.yaml` would run
 * that project's pipeline against this project's stores. Compared by real path, so a symlinked
 * project folder is one project. Undefined when the config was named with --config.
 */
export function foreignProjectConfig(project: Project, pipelineFile: string): string | undefined {
  if (project.configNamed) return undefined;
  const own = findUp(dirname(pipelineFile), CONFIG_FILE);
  if (own === undefined) return undefined;
  if (project.configFile !== undefined && realPath(own) === realPath(project.configFile)) return undefined;
  return own;
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path); // a dangling one is refused where it is read
  }
}

function withAbsolutePaths(rootDir: string, configFile: string | undefined, config: FerryConfig, masker: SecretMasker): Project {
  const abs = (p: string): string => (isAbsolute(p) ? p : join(rootDir, p));
  const connections = Object.fromEntries(
    Object.entries(config.connections).map(([name, c]) => [name, c.driver === 'sqlite' ? { ...c, path: abs(c.path) } : c]),
  );
  for (const c of Object.values(config.connections)) if (c.driver === 'postgres') for (const password of passwordsOf(c.url)) masker.add(password);
  const { tls } = config.temporal;
  // The TLS files, as the stores' files, are relative to ferry.yaml (server_name is no path).
  const temporal = typeof tls === 'object' ? { ...config.temporal, tls: mapFiles(tls, abs) } : config.temporal;
  return { rootDir, configFile, config: { ...config, connections, temporal }, stateDir: abs(config.state_dir), masker };
}

function mapFiles<T extends { ca?: string; cert?: string; key?: string }>(tls: T, abs: (p: string) => string): T {
  return { ...tls, ...(tls.ca ? { ca: abs(tls.ca) } : {}), ...(tls.cert ? { cert: abs(tls.cert) } : {}), ...(tls.key ? { key: abs(tls.key) } : {}) };
}

/**
 * The passwords a PostgreSQL URL holds written in it: the user's (`user:secret@`), and any query
 * parameter named like one (`?password=secret`, which node-postgres uses as the password, as libpq
 * does; `sslpassword`): URL masking by shape knows only the first. Each decoded and as written: a
 * percent-encoding spelled otherwise than encodeURIComponent does (`%2f`) matches no other spelling.
 */
function passwordsOf(url: string): string[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const out = [parsed.password, decodeLoosely(parsed.password)];
  for (const pair of parsed.search.slice(1).split('&')) {
    const eq = pair.includes('=') ? pair.indexOf('=') : pair.length;
    const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
    // The query's own decoding, as URLSearchParams (node-postgres) reads it: `+` is a space.
    if (/pass/i.test(decodeLoosely(name.replaceAll('+', ' ')))) out.push(value, decodeLoosely(value.replaceAll('+', ' ')));
  }
  return out;
}

/**
 * The config file's text, or a ConfigError saying why it cannot be read. A found ferry.yaml is
 * checked as a named one is: reading a named pipe would wait for a writer forever, and a directory
 * or a dangling symlink must not pass for "no ferry.yaml" (the default connections would be used).
 */
function readConfigFile(path: string, shown: string): string {
  const read = readFerryFile(path, 'config file');
  if ('text' in read) return read.text;
  // A Latin-1 password or path read as UTF-8 silently became another text (U+FFFD): say where it stops being UTF-8.
  if ('notUtf8' in read) throw new ConfigError([{ file: shown, ...read.notUtf8, path: '' }]);
  throw new ConfigError([{ file: shown, line: 0, col: 0, path: '', message: read.problem }]);
}

/** The ferry.yaml of the project `dir` lies in: in it or the nearest folder above (a dangling link too), or undefined. */
export function enclosingConfig(dir: string): string | undefined {
  return findUp(dir, CONFIG_FILE);
}

function findUp(from: string, name: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, name);
    // lstat: a ferry.yaml that is a dangling symlink is found (and refused), not skipped for a parent's or none.
    if (entryExists(candidate)) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function entryExists(path: string): boolean {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch {
    return false; // a folder on the way up that may not be searched holds no ferry.yaml we could read
  }
}

/** Above this many `../`, a path is shown absolute: it is no longer one the user would type. */
const MAX_SHOWN_UPS = 3;

/**
 * A path as the user would type it from `cwd`: relative inside it, and from a subfolder of the
 * project (`../import.yaml`); absolute when it is far away.
 */
export function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, file);
  if (rel === '' || isAbsolute(rel)) return file;
  const ups = rel.split(sep).filter((part) => part === '..').length;
  return ups <= MAX_SHOWN_UPS ? rel : file;
}
