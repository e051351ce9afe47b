import { configSchema, type FerryConfig } from './config-schema.js';
import { sortDiagnostics, type Diagnostic } from './diagnostics.js';
import { interpolateEnv } from './interpolate.js';
import { checkSchema } from './schema-diagnostics.js';
import { parseYamlFile, plainValue } from './yaml-document.js';

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
  const { diagnostics: envDiagnostics, secrets } = interpolateEnv(y, env);
  const plain = plainValue(y);
  if ('diagnostics' in plain) return { diagnostics: plain.diagnostics, secrets };
  const raw: unknown = plain.value ?? {};
  const schema = checkSchema(y, configSchema, raw);
  // a key left as written (`${X}:` refused) is an unknown key too: said once, at its position
  const said = new Set(envDiagnostics.map((d) => `${d.line}:${d.col}`));
  const diagnostics = sortDiagnostics([...envDiagnostics, ...schema.diagnostics.filter((d) => !said.has(`${d.line}:${d.col}`))]);
  if (diagnostics.length > 0) return { diagnostics, secrets };
  return { config: schema.value, diagnostics: [], secrets };
}
