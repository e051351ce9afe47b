import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { connections, openConnection } from '../../../src/connections/index.js';
import { isRetryable } from '../../../src/connections/errors.js';
import { connectionOptionsSchema, type ConnectionOptions } from '../../../src/spec/config-schema.js';

/**
 * Driver files are `<driver>.ts`, and a driver's own modules live in `<driver>/`; shared files are
 * these, or hyphenated (`users-table.ts`, `write-rules.ts`).
 */
const notDrivers = new Set(['index', 'types', 'errors']);

describe('connection registry', () => {
  it('registers every driver file in src/connections, under its file name', () => {
    const folder = fileURLToPath(new URL('../../../src/connections/', import.meta.url));
    const drivers = readdirSync(folder)
      .map((file) => /^([a-z0-9]+)\.ts$/.exec(file)?.[1])
      .filter((name): name is string => name !== undefined && !notDrivers.has(name));
    expect(Object.keys(connections).sort()).toEqual(drivers.sort());
    for (const [key, definition] of Object.entries(connections)) expect(definition.name).toBe(key);
  });

  it("has an options schema in ferry.yaml's schema for every driver, and no schema without a driver", () => {
    const schemaDrivers = connectionOptionsSchema.options.map((option) => option.shape.driver.value);
    expect([...schemaDrivers].sort()).toEqual(Object.keys(connections).sort());
  });

  it('keeps driver-specific modules only in the folder of a registered driver', () => {
    const folder = fileURLToPath(new URL('../../../src/connections/', import.meta.url));
    const folders = readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((name) => !(name in connections))).toEqual([]);
    const stray = readdirSync(folder).filter((file) => Object.keys(connections).some((driver) => file.startsWith(`${driver}-`)));
    expect(stray).toEqual([]);
  });

  it('opens a connection by its driver name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ferry-registry-'));
    try {
      const connection = await openConnection({ driver: 'sqlite', path: 'users.db', table: 'users' }, { baseDir: dir });
      expect(connection.driver).toBe('sqlite');
      await connection.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown driver, listing the known ones', async () => {
    const options = { driver: 'oracle', path: 'x', table: 'users' } as unknown as ConnectionOptions;
    const error: unknown = await openConnection(options, { baseDir: '.' }).catch((err: unknown) => err);
    expect((error as Error).message).toMatch(/^\[connection:oracle\] unknown driver "oracle"; known drivers: .*sqlite/);
    expect(isRetryable(error)).toBe(false);
  });
});
