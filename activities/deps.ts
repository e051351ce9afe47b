import { openConnection } from '../src/connections/index.js';
import type { Connection, TableUse } from '../src/connections/types.js';
import type { WriterTurn } from '../src/connections/writer-turn.js';
import type { ConnectionOptions } from '../src/spec/config-schema.js';
import type { SecretMasker } from '../src/spec/secrets.js';
import type { ActivityProgress } from './progress.js';
import type { ProjectIdentity } from '../src/engine/temporal/project-identity.js';
import { ownField } from '../src/validation/own-field.js';

/** What activities need from the process they run in: the project's connections and the masker. */
export interface ActivityDeps {
  connections: Record<string, ConnectionOptions>;
  /** Folder relative SQLite paths resolve from (the folder of ferry.yaml). */
  baseDir: string;
  masker: SecretMasker;
  pool: ConnectionPool;
  /** Where notifications get their transport (SMTP); absent when ferry.yaml has no notify. */
  smtp?: { url: string; from: string };
  /** Temporal workers: the project this worker serves, to refuse jobs another project submitted (project-check.ts). */
  project?: ProjectIdentity;
  /** Heartbeats and cancellation of the activity being run (Temporal); absent on the embedded engine. */
  progress?: ActivityProgress;
}

/** One open connection per name for the life of the process (a worker, or one embedded run). */
export class ConnectionPool {
  private readonly open = new Map<string, Promise<Connection>>();
  private readonly retired: Promise<Connection>[] = [];

  constructor(
    private readonly connections: Record<string, ConnectionOptions>,
    private readonly baseDir: string,
    /** Shared with the batch threads (src/engine/embedded/batch-threads.ts) of this process, when it has any. */
    private readonly writerTurn?: WriterTurn,
  ) {}

  /** `use` `read`: a source's, whose store must be there (ConnectionContext `use`); it is opened so only when not open yet. */
  get(name: string, table?: string, use?: TableUse): Promise<Connection> {
    const key = table ? `${name}/${table}` : name;
    const cached = this.open.get(key);
    if (!cached) return this.openNew(key, name, table, use);
    return cached.then((c) => {
      if (!c.stale?.()) return c;
      // Its store was deleted or replaced since it was opened: open what the path holds now. The
      // old connection stays open (closed by closeAll) for writes in flight on it; their own check fails them.
      if (this.open.get(key) === cached) {
        this.open.delete(key);
        this.retired.push(cached);
      }
      return this.get(name, table, use);
    });
  }

  private openNew(key: string, name: string, table: string | undefined, use: TableUse | undefined): Promise<Connection> {
    const options = ownField(this.connections, name);
    if (!options) return Promise.reject(new Error(`unknown connection "${name}" (known: ${Object.keys(this.connections).join(', ') || 'none'})`));
    const connection = openConnection(table ? { ...options, table } : options, {
      baseDir: this.baseDir,
      ...(this.writerTurn ? { writerTurn: this.writerTurn } : {}),
      ...(use ? { use } : {}),
    });
    connection.catch(() => this.open.delete(key));
    this.open.set(key, connection);
    return connection;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values(), ...this.retired.splice(0)];
    this.open.clear();
    await Promise.allSettled(all.map(async (c) => (await c).close()));
  }
}
