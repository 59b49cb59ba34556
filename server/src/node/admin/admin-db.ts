// Table types of migration 007, kept beside the code that uses them (as fleet/fleet-db.ts does):
// `adminDb(db)` is the same connection seen with the new columns and tables added.
import type { Generated, Kysely } from 'kysely';
import type { Db } from '../db/open.ts';
import type { Database } from '../db/schema.ts';
import type { FleetTables } from '../fleet/fleet-db.ts';

export interface CalendarExceptionsTable {
  id: Generated<number>;
  /** NULL: every office (a public holiday). */
  office_id: string | null;
  /** 'YYYY-MM-DD', local date in the configured time zone. */
  date: string;
  closed: number;
  start_time: string | null;
  end_time: string | null;
  label: string;
  created_by: string;
  created_at: string;
}

// A type alias, not an interface: withTables needs the implicit index signature.
export type AdminTables = FleetTables & {
  services: { questions: Generated<string>; at_totem: Generated<number>; from_home: Generated<number> };
  operators: FleetTables['operators'] & { languages: Generated<string> };
  calendar_exceptions: CalendarExceptionsTable;
};

export type AdminDb = Kysely<Database & AdminTables>;

export function adminDb(db: Db): AdminDb {
  return db.withTables<AdminTables>() as unknown as AdminDb;
}
