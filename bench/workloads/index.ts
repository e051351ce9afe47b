import { exportCsv } from './export-csv.js';
import { importCsv } from './import-csv.js';
import { importNdjson } from './import-ndjson.js';
import { importPostgres } from './import-postgres.js';
import { upsertCsv } from './upsert-csv.js';
import type { Workload } from './types.js';

/** Every workload, in the order of the table. */
export const workloads: Workload[] = [importCsv, upsertCsv, importNdjson, exportCsv, importPostgres];
