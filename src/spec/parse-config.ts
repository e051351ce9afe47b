import { configSchema, type FerryConfig } from './config-schema.js';
import { formatPath, sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { interpolateEnv } from './interpolate.js';
import { checkSchema } from './schema-diagnostics.js';
import { isScalar } from 'yaml';
import { isWholeReference } from './env-references.js';
import { offsetOf, parseYamlFile, plainValue, positionOf, type YamlFile } from './yaml-document.js';

export interface ParsedConfig {
  config?: FerryConfig;
  diagnostics: Diagnostic[];
  /** Values interpolated from the environment: to be masked in anything printed. */
  secrets: string[];
}

/** ferry.yaml text → config, with `${VAR}` interpolated from `env` (unset → diagnostic). Pure. */
export function parseConfig(file: string, text: string, env: Readonly<Record<string, string | undefined>>): ParsedConfig {
  const y = parseYamlFile(file, text);
  if (y.syntaxErrors.length > 0) return { diagnostics: y.syntaxErrors, secrets: [] };
  const literal = literalApiKey(y);
  const { diagnostics: envDiagnostics, secrets, empty } = interpolateEnv(y, env);
  const plain = plainValue(y);
  if ('diagnostics' in plain) return { diagnostics: plain.diagnostics, secrets };
  const raw: unknown = plain.value ?? {};
  const schema = checkSchema(y, configSchema, raw);
  // a key left as written (`${X}:` refused) is an unknown key too: said once, at its position
  const said = new Set(envDiagnostics.map((d) => `${d.line}:${d.col}`));
  const diagnostics = sortDiagnostics([
    ...literal,
    ...envDiagnostics,
    ...protoConnection(y, raw),
    ...schema.diagnostics
      .filter((d) => !said.has(`${d.line}:${d.col}`))
      .map((d) => (empty.has(d.path) ? { ...d, message: `${d.message} (environment variable ${empty.get(d.path)!} is set, to an empty string)` } : d)),
  ]);
  if (diagnostics.length > 0) return { diagnostics, secrets };
  return { config: schema.value, diagnostics: [], secrets };
}

/**
 * An API key written into ferry.yaml would be kept in git, and printed wherever the config is
 * (only values from the environment are masked): it must be one whole `${NAME}`.
 */
function literalApiKey(y: YamlFile): Diagnostic[] {
  const node = y.doc.getIn(['temporal', 'api_key'], true);
  if (!isScalar(node) || typeof node.value !== 'string' || isWholeReference(node.value)) return [];
  const { line, col } = positionOf(y, node.range?.[0] ?? 0);
  return [
    {
      file: y.file,
      line,
      col,
      path: 'temporal.api_key',
      message: 'an API key comes from the environment, never from ferry.yaml itself: write api_key: ${TEMPORAL_API_KEY} and set that variable',
    },
  ];
}

/**
 * The schema library leaves a `__proto__` key out of a record (its guard against prototype
 * pollution), so a connection of that name vanished and a pipeline naming it read "unknown
 * connection … (known: users)": refused at its name instead. Other names of Object.prototype
 * (constructor, toString) are kept as any other name.
 */
function protoConnection(y: YamlFile, raw: unknown): Diagnostic[] {
  const connections = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)['connections'] : undefined;
  if (!connections || typeof connections !== 'object' || !Object.hasOwn(connections, '__proto__')) return [];
  const path = ['connections', '__proto__'];
  const { line, col } = positionOf(y, offsetOf(y, path, 'key'));
  const message = 'the connection name "__proto__" is reserved by JavaScript and cannot name a connection: choose another name';
  return [{ file: y.file, line, col, path: formatPath(path), message }];
}
