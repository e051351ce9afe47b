import { isScalar, visit } from 'yaml';
import { formatPath, type Diagnostic } from './diagnostics.js';
import { positionOf, type YamlFile } from './yaml-document.js';

const reference = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${VAR}` in every string scalar of a YAML file (ferry.yaml only). An unset variable is a
 * diagnostic at the position of its `${`, never an empty string. Returns the values that came from
 * the environment so they can be masked wherever they might be printed.
 */
export function interpolateEnv(y: YamlFile, env: Readonly<Record<string, string | undefined>>): { diagnostics: Diagnostic[]; secrets: string[] } {
  const diagnostics: Diagnostic[] = [];
  const secrets: string[] = [];
  visit(y.doc, {
    Scalar(_key, node, ancestry) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      const written = writtenReferences(y.text, node.range);
      let nth = 0;
      node.value = node.value.replace(reference, (match: string, name: string) => {
        const value = env[name];
        const at = written[nth++] ?? node.range?.[0] ?? 0;
        if (value === undefined) {
          const { line, col } = positionOf(y, at);
          diagnostics.push({ file: y.file, line, col, path: formatPath(pathOf(ancestry)), message: `environment variable ${name} is not set` });
          return match; // left as written: the config is refused anyway, and no second error follows from an empty value
        }
        if (value.length > 0 && !namesNoSecret(_key, pathOf(ancestry))) secrets.push(value);
        return value;
      });
    },
  });
  return { diagnostics, secrets };
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
  const source = text.slice(range[0], range[1]);
  return [...source.matchAll(reference)].map((m) => range[0]! + m.index);
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
