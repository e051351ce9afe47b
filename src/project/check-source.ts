import { existsSync } from 'node:fs';
import { openConnection } from '../connections/index.js';
import type { ColumnInfo } from '../connections/types.js';
import { usersTableColumns } from '../connections/users-table.js';
import { checkQuery } from '../query/compile-query.js';
import { checkSort } from '../query/keyset.js';
import { parseQuery } from '../query/parse-query.js';
import { QueryError } from '../query/query-error.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import { formatPath } from '../spec/diagnostics.js';
import { offsetInScalar } from '../spec/parse-pipeline.js';
import { parseYamlFile, positionOf } from '../spec/yaml-document.js';
import type { Project } from './load-config.js';
import { loadPipeline, type LoadedPipeline, type LoadResult } from './load-pipeline.js';

/**
 * `loadPipeline`, then an export's query and sort checked against the source table's real columns,
 * so an unknown field is reported by `ferry validate` (and before `ferry run` starts a job) at its
 * line and column inside the query: `file:line:col source.query: unknown field "nick"; …`.
 */
export async function loadCheckedPipeline(project: Project, cwd: string, file: string): Promise<LoadResult> {
  const result = loadPipeline(project, cwd, file);
  if (!result.ok) return result;
  const diagnostics = await checkSource(project, result.loaded);
  return diagnostics.length > 0 ? { ok: false, file: result.loaded.file, diagnostics } : result;
}

async function checkSource(project: Project, loaded: LoadedPipeline): Promise<Diagnostic[]> {
  const { source } = loaded.pipeline;
  if (!('connection' in source)) return [];
  const columns = await sourceColumns(project, source.connection, source.table);
  const out: Diagnostic[] = [];
  const queryError = columns ? checkQuery(source.query, columns) : syntaxError(source.query);
  if (queryError) out.push(at(loaded, ['source', 'query'], source.query, queryError));
  const sortError = columns && source.sort ? checkSort(source.sort.by, columns) : undefined;
  if (sortError && source.sort) out.push(at(loaded, ['source', 'sort', 'by'], source.sort.by, sortError));
  return out;
}

/**
 * The columns the export will read, as planJob sees them. A SQLite file that does not exist yet
 * will get the built-in users table, so that is what the query is checked against (validation
 * creates nothing). Undefined when the store cannot be reached: then only the syntax is checked,
 * and the run reports unknown fields when it plans.
 */
async function sourceColumns(project: Project, name: string, table: string | undefined): Promise<ColumnInfo[] | undefined> {
  const options = project.config.connections[name];
  if (!options) return undefined;
  if (options.driver === 'sqlite' && options.path !== ':memory:' && !existsSync(options.path)) return builtInColumns();
  try {
    const connection = await openConnection(table ? { ...options, table } : options, { baseDir: project.rootDir });
    try {
      return await connection.columns();
    } finally {
      await connection.close();
    }
  } catch {
    return undefined;
  }
}

function builtInColumns(): ColumnInfo[] {
  return usersTableColumns.map((c) => ({ name: c.name, type: c.type, nullable: !c.primaryKey, primaryKey: c.primaryKey === true, unique: c.primaryKey === true || c.unique === true }));
}

function syntaxError(query: string): QueryError | undefined {
  try {
    parseQuery(query);
    return undefined;
  } catch (err) {
    if (err instanceof QueryError) return err;
    throw err;
  }
}

/** The diagnostic at the offending character: the scalar's position plus the error's offset in it. */
function at(loaded: LoadedPipeline, path: string[], value: string, error: QueryError): Diagnostic {
  const y = parseYamlFile(loaded.file, loaded.text);
  const { line, col } = positionOf(y, offsetInScalar(y, path, value, error.offset));
  return { file: loaded.file, line, col, path: formatPath(path), message: error.message };
}
