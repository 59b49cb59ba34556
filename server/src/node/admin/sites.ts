// Sites (a square, a library: where totems stand) and which offices their totems serve. A change
// of offices changes what the site's totems hold, so it bumps the site's key version: each totem
// then takes a full snapshot of its agenda instead of following the change feed.
import type { AdminSite, SiteInput } from '@sportello/protocol';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/open.ts';
import { withTransaction } from '../agenda/change-log.ts';
import { HttpError, FieldError } from '../http/errors.ts';
import { checkOffices, idFromName } from './catalogue.ts';
import { HOME_SITE_ID } from '../calls/home-guests.ts';

export async function listAdminSites(db: Db): Promise<AdminSite[]> {
  // The home guests' site (calls/home-guests.ts) is the queue's, not an administrator's.
  const sites = await db
    .selectFrom('sites')
    .select(['id', 'name'])
    .where('id', '!=', HOME_SITE_ID)
    .orderBy('name')
    .execute();
  const links = await db.selectFrom('site_offices').selectAll().orderBy('office_id').execute();
  const totems = await db.selectFrom('totems').select('site_id').execute();
  return sites.map((s) => ({
    id: s.id,
    name: s.name,
    offices: links.filter((l) => l.site_id === s.id).map((l) => l.office_id),
    totems: totems.filter((t) => t.site_id === s.id).length,
  }));
}

export async function readAdminSite(db: Db, id: string): Promise<AdminSite> {
  const site = (await listAdminSites(db)).find((s) => s.id === id);
  if (!site) throw new HttpError(404, 'site-not-found', `There is no site "${id}".`);
  return site;
}

async function siteExists(db: Db, id: string): Promise<boolean> {
  return !!(await db.selectFrom('sites').select('id').where('id', '=', id).executeTakeFirst());
}

async function setOffices(db: Db, siteId: string, offices: string[]): Promise<void> {
  await db.deleteFrom('site_offices').where('site_id', '=', siteId).execute();
  const unique = [...new Set(offices)];
  if (unique.length > 0) {
    await db
      .insertInto('site_offices')
      .values(unique.map((office_id) => ({ site_id: siteId, office_id })))
      .execute();
  }
}

export async function createSite(db: Db, input: SiteInput): Promise<AdminSite> {
  if (input.id && (await siteExists(db, input.id))) {
    throw new FieldError('id', `a site with the id "${input.id}" already exists`);
  }
  await checkOffices(db, input.offices, 'offices');
  const id = input.id ?? (await idFromName(input.name, (c) => siteExists(db, c)));
  await withTransaction(db, async (trx) => {
    await trx
      .insertInto('sites')
      .values({ id, name: input.name, site_key: randomBytes(32).toString('base64') })
      .execute();
    await setOffices(trx, id, input.offices);
  });
  return readAdminSite(db, id);
}

export async function updateSite(
  db: Db,
  id: string,
  input: Omit<SiteInput, 'id'>,
): Promise<{ site: AdminSite; officesChanged: boolean }> {
  const before = await readAdminSite(db, id);
  await checkOffices(db, input.offices, 'offices');
  const next = [...new Set(input.offices)].sort();
  const officesChanged = next.join(',') !== [...before.offices].sort().join(',');
  await withTransaction(db, async (trx) => {
    await trx.updateTable('sites').set({ name: input.name }).where('id', '=', id).execute();
    if (officesChanged) {
      await setOffices(trx, id, next);
      await trx
        .updateTable('sites')
        .set((eb) => ({ key_version: eb('key_version', '+', 1) }))
        .where('id', '=', id)
        .execute();
    }
  });
  return { site: await readAdminSite(db, id), officesChanged };
}
