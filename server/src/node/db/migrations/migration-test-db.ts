// The database of one migration test file: a real SQLite file in a temp folder, opened before the
// file's tests and removed after them, with a migrator to step it to the version a test starts from.
import { Migrator } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { openDatabase, type OpenedDatabase } from '../open.ts';
import { migrationProvider } from './index.ts';

export interface MigrationTestDb {
  /** The open database; valid inside the file's tests. */
  readonly opened: OpenedDatabase;
  migrator(): Migrator;
}

/** Call at the top of a test file: registers the before/after hooks that own the database. */
export function migrationTestDb(): MigrationTestDb {
  let dir: string | undefined;
  let opened: OpenedDatabase | undefined;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sportello-migration-'));
    opened = openDatabase(join(dir, 'sportello.db'));
  });
  after(async () => {
    await opened?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get opened() {
      if (!opened) throw new Error('the migration test database is opened by the before() hook');
      return opened;
    },
    migrator: () => new Migrator({ db: opened!.db, provider: migrationProvider }),
  };
}
