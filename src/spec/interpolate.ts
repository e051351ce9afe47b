import { isScalar, visit, type Scalar } from 'yaml';
import { formatPath, type Diagnostic } from './diagnostics.js';
import { expandReferences, referenceOffsets } from './env-references.js';
import { positionOf, type YamlFile } from './yaml-document.js';

/**
 * Replaces `${VAR}` in every string scalar of a YAML file (ferry.yaml only), and in the keys that
 * name a connection (a connection named from the environment); `$${VAR}` is a literal `${VAR}`
 * (env-references.ts). An unset variable is a diagnostic at the position of its `${`, never an
 * empty string, and so is a key that becomes another key of its map (the parser's duplicate check
 * ran before: one connection silently replaced the other). Any other key is a setting's name:
 * `${X}:` at the top with X=engine set the engine, unseen, unless `engine:` was also written, so a
 * reference there is refused.
 * Returns the values that came from the environment so they can be masked wherever they might be printed.
 */
export function interpolateEnv(
  y: YamlFile,
  env: Readonly<Record<string, string | undefined>>,
): { diagnostics: Diagnostic[]; secrets: string[]; empty: Map<string, string> } {
  const diagnostics: Diagnostic[] = [];
  const secrets: string[] = [];
  /** Path → a variable set to "" that it read: the schema's `got ""` of `path: ${DBPATH}` named no variable. */
  const empty = new Map<string, string>();
  const expandedKeys = new Set<Scalar>();
  visit(y.doc, {
    Scalar(role, node, ancestry) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      if (role === 'key') expandedKeys.add(node);
      const written = writtenReferences(y.text, node.range);
      const path = pathOf(ancestry);
      const settingName = role === 'key' && !(path.length === 2 && path[0] === 'connections');
      node.value = expandReferences(node.value, ({ name, written: match, nth }) => {
        const at = written[nth] ?? node.range?.[0] ?? 0;
        const refuse = (message: string): string => {
          const { line, col } = positionOf(y, at);
          diagnostics.push({ file: y.file, line, col, path: formatPath(path), message });
          return match; // left as written: the config is refused anyway, and no second error follows from an empty value
        };
        if (settingName)
          return refuse(
            `\${${name}} in a setting's name: environment variables are read in values and connection names only, so write the setting's name itself`,
          );
        const value = env[name];
        if (value === undefined) return refuse(`environment variable ${name} is not set`);
        if (value === '' && !empty.has(formatPath(path))) empty.set(formatPath(path), name);
        if (value.length > 0 && !namesNoSecret(role, path)) secrets.push(value);
        return value;
      });
    },
  });
  if (expandedKeys.size > 0) diagnostics.push(...keysMadeEqual(y, expandedKeys));
  return { diagnostics, secrets, empty };
}

/** A key whose `${VAR}` made it equal to another key of its map, at the key. */
function keysMadeEqual(y: YamlFile, expanded: Set<Scalar>): Diagnostic[] {
  const out: Diagnostic[] = [];
  visit(y.doc, {
    Map(_key, map, ancestry) {
      const seen = new Map<unknown, Scalar>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const first = seen.get(pair.key.value);
        if (first === undefined) seen.set(pair.key.value, pair.key);
        else if (expanded.has(pair.key) || expanded.has(first)) {
          const { line, col } = positionOf(y, pair.key.range?.[0] ?? 0);
          const other = positionOf(y, first.range?.[0] ?? 0);
          const message = `this key is "${String(pair.key.value)}" once its environment variables are read, as is the key at line ${other.line}: one would replace the other`;
          out.push({ file: y.file, line, col, path: formatPath(pathOf([...ancestry, map])), message });
        }
      }
    },
  });
  return out;
}

/**
 * The settings that name things rather than hold credentials: a value from the environment there
 * is shown as it is. Masked, `table: ${TABLE}` = users turned every job id of an import-users
 * pipeline into `import-***-…` (a `ferry jobs errors <id>` that names no job), and
 * `state_dir: ${HOME}/…` hid every path.
 */
const NOT_SECRET = [
  /^(engine|state_dir)$/,
  /^temporal\.(namespace|task_queue|heartbeat_timeout)$/,
  /^temporal\.tls\.(ca|cert|key|server_name)$/,
  /^connections\.[^.]+\.(driver|path|table|pool|query_timeout|connect_timeout)$/,
  /^retention\.[^.]+$/,
  /^notify\.smtp\.from$/,
];

/** Whether a scalar holds no secret: a key (a connection's name), or the value of a setting of NOT_SECRET. */
function namesNoSecret(role: unknown, path: PropertyKey[]): boolean {
  if (role === 'key') return true;
  const dotted = path.map(String).join('.');
  return NOT_SECRET.some((pattern) => pattern.test(dotted));
}

/**
 * Offsets of the `${NAME}` references as written in the scalar's source, in order: the n-th of the
 * value is the n-th written. Not "start + index in the value": an escape (`\t`), a quote doubled
 * (`''`) or a folded line break makes the value shorter than its source, and the column was off.
 */
function writtenReferences(text: string, range: readonly number[] | null | undefined): number[] {
  if (!range) return [];
  return referenceOffsets(text.slice(range[0], range[1])).map((offset) => range[0]! + offset);
}

/** The key path of a visited node, from the visitor's ancestry (maps' pair keys, sequence indexes). */
function pathOf(ancestry: readonly unknown[]): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let i = 0; i < ancestry.length; i++) {
    const here = ancestry[i] as { key?: unknown; items?: unknown[] };
    if (here && typeof here === 'object' && 'key' in here && isScalar(here.key)) path.push(String(here.key.value));
    const next = ancestry[i + 1];
    if (Array.isArray(here?.items) && next !== undefined && !('key' in (next as object))) path.push(here.items.indexOf(next));
  }
  return path;
}
