// Numbered migrations, in order. Add a file `NNN-name.ts` and list it here; never edit a
// migration that has shipped.
import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001-initial.ts';
import * as m002 from './002-agenda-changes.ts';
import * as m003 from './003-fleet.ts';
import * as m004 from './004-self-tests.ts';
import * as m005 from './005-call-queue.ts';
import * as m006 from './006-messages.ts';
import * as m007 from './007-administration.ts';
import * as m008 from './008-queue-dispatch.ts';
import * as m009 from './009-home-video.ts';

export const MIGRATIONS: Record<string, Migration> = {
  '001-initial': m001,
  '002-agenda-changes': m002,
  '003-fleet': m003,
  '004-self-tests': m004,
  '005-call-queue': m005,
  '006-messages': m006,
  '007-administration': m007,
  '008-queue-dispatch': m008,
  '009-home-video': m009,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => MIGRATIONS,
};
