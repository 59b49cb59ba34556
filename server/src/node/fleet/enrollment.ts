// Enrollment: an administrator makes a single-use token bound to a site and a totem slot (name);
// the totem presents it once with the public key it generated, and gets its identity and its site
// configuration. The token is burned in the same transaction that writes the key, so two totems
// racing with one token cannot both win. Every refusal is audited with its reason (P-1).
//
// Re-enrollment: a token for a slot name that already exists at that site keeps the totem's id
// (and so its history and call records) and replaces its key; the previous key and any demo secret
// stop working at once.
import type {
  CreateEnrollment,
  EnrollmentToken,
  EnrollRequest,
  SiteConfiguration,
} from '@sportello/protocol';
import { randomBytes } from 'node:crypto';
import { newToken, sha256Hex } from '../auth/secrets.ts';
import { HttpError } from '../http/errors.ts';
import type { AuditLog } from './audit.ts';
import type { FleetDb } from './fleet-db.ts';
import { parsePublicKey } from './totem-keys.ts';

export const ENROLLMENT_TOKEN_PREFIX = 'spe1-';

export interface EnrollmentOptions {
  db: FleetDb;
  audit: AuditLog;
  now: () => Date;
  serverUrl: () => string;
  enrollmentTokenMinutes: number;
  heartbeatSeconds: number;
  turnServers: SiteConfiguration['turnServers'];
  languages: string[];
  /** Called after a slot got a new key: cut off whoever held the old one. */
  onReplaced: (totemId: string) => Promise<void>;
}

export class Enrollment {
  constructor(private readonly o: EnrollmentOptions) {}

  async createToken(actor: string, req: CreateEnrollment): Promise<EnrollmentToken> {
    const site = await this.o.db
      .selectFrom('sites')
      .select(['id'])
      .where('id', '=', req.siteId)
      .executeTakeFirst();
    if (!site) throw new HttpError(404, 'site-unknown', `There is no site "${req.siteId}".`);
    const token = ENROLLMENT_TOKEN_PREFIX + newToken(24);
    const now = this.o.now();
    const minutes = req.validMinutes ?? this.o.enrollmentTokenMinutes;
    const expiresAt = new Date(now.getTime() + minutes * 60_000).toISOString();
    await this.o.db
      .insertInto('enrollment_tokens')
      .values({
        token_hash: sha256Hex(token),
        site_id: req.siteId,
        totem_name: req.totemName,
        created_by: actor,
        created_at: now.toISOString(),
        expires_at: expiresAt,
        used_at: null,
        totem_id: null,
        key_fingerprint: null,
      })
      .execute();
    await this.o.audit.record({
      actor,
      action: 'enrollment-token-created',
      target: `${req.siteId}/${req.totemName}`,
      result: 'ok',
      detail: `valid until ${expiresAt}`,
    });
    const uri = new URL('sportello://enroll');
    uri.searchParams.set('server', this.o.serverUrl());
    uri.searchParams.set('site', req.siteId);
    uri.searchParams.set('slot', req.totemName);
    uri.searchParams.set('token', token);
    return { token, siteId: req.siteId, totemName: req.totemName, expiresAt, uri: uri.href };
  }

  async enroll(req: EnrollRequest, address: string): Promise<SiteConfiguration> {
    const actor = `anonymous@${address}`;
    const hash = sha256Hex(req.token);
    const row = await this.o.db
      .selectFrom('enrollment_tokens')
      .selectAll()
      .where('token_hash', '=', hash)
      .executeTakeFirst();
    const target = row ? `${row.site_id}/${row.totem_name}` : null;
    const refuse = async (status: number, code: string, message: string): Promise<never> => {
      await this.o.audit.record({ actor, action: 'enrollment', target, result: 'refused', detail: code });
      throw new HttpError(status, code, message);
    };
    if (!row) {
      return refuse(
        401,
        'enrollment-token-unknown',
        'This enrollment token is not known: check it was copied whole.',
      );
    }
    const key = parsePublicKey(req.publicKey);
    if (!key)
      return refuse(
        400,
        'public-key-invalid',
        'The public key is not an Ed25519 key in SPKI PEM or JWK form.',
      );
    if (row.used_at) {
      // The same request sent again (same key) is a replay; another key means a second totem.
      if (row.key_fingerprint === key.fingerprint) {
        return refuse(409, 'enrollment-replayed', 'This enrollment was already done: the totem is enrolled.');
      }
      return refuse(
        409,
        'enrollment-token-used',
        'This enrollment token was already used: ask for a new one.',
      );
    }
    const now = this.o.now();
    if (row.expires_at <= now.toISOString()) {
      return refuse(410, 'enrollment-token-expired', 'This enrollment token has expired: ask for a new one.');
    }
    if (req.siteId !== undefined && req.siteId !== row.site_id) {
      return refuse(
        403,
        'enrollment-wrong-site',
        `This token is for site "${row.site_id}", not "${req.siteId}": use the token made for this site.`,
      );
    }
    if (req.totemName !== undefined && req.totemName !== row.totem_name) {
      return refuse(
        403,
        'enrollment-wrong-slot',
        `This token is for the totem "${row.totem_name}", not "${req.totemName}".`,
      );
    }

    const result = await this.o.db.transaction().execute(async (trx) => {
      const burned = await trx
        .updateTable('enrollment_tokens')
        .set({ used_at: now.toISOString(), key_fingerprint: key.fingerprint })
        .where('token_hash', '=', hash)
        .where('used_at', 'is', null)
        .executeTakeFirst();
      if (Number(burned.numUpdatedRows) !== 1) return undefined;
      const existing = await trx
        .selectFrom('totems')
        .select('id')
        .where('site_id', '=', row.site_id)
        .where('name', '=', row.totem_name)
        .executeTakeFirst();
      const totemId = existing?.id ?? `totem-${randomBytes(6).toString('hex')}`;
      if (existing) {
        await trx.updateTable('totems').set({ secret_hash: '' }).where('id', '=', totemId).execute();
      } else {
        await trx
          .insertInto('totems')
          .values({
            id: totemId,
            site_id: row.site_id,
            name: row.totem_name,
            secret_hash: '',
            created_at: now.toISOString(),
          })
          .execute();
      }
      await trx
        .insertInto('totem_fleet')
        .values({ totem_id: totemId })
        .onConflict((oc) => oc.column('totem_id').doNothing())
        .execute();
      await trx
        .updateTable('totem_fleet')
        .set((eb) => ({
          status: 'active',
          status_reason: null,
          public_key: key.pem,
          key_fingerprint: key.fingerprint,
          key_version: eb('key_version', '+', 1),
          enrolled_at: now.toISOString(),
          revoked_at: null,
          clone_suspected_at: null,
        }))
        .where('totem_id', '=', totemId)
        .execute();
      await trx
        .updateTable('enrollment_tokens')
        .set({ totem_id: totemId })
        .where('token_hash', '=', hash)
        .execute();
      return { totemId, replaced: existing !== undefined };
    });
    if (!result) {
      return refuse(
        409,
        'enrollment-token-used',
        'This enrollment token was already used: ask for a new one.',
      );
    }
    if (result.replaced) await this.o.onReplaced(result.totemId);
    await this.o.audit.record({
      actor,
      action: 'totem-enrolled',
      target: result.totemId,
      result: 'ok',
      detail: `${target}, key ${key.fingerprint}, token made by ${row.created_by}${
        req.versions ? `, versions ${JSON.stringify(req.versions)}` : ''
      }`,
    });
    return this.siteConfiguration(result.totemId);
  }

  async siteConfiguration(totemId: string): Promise<SiteConfiguration> {
    const totem = await this.o.db
      .selectFrom('totems')
      .innerJoin('sites', 'sites.id', 'totems.site_id')
      .select(['totems.id', 'totems.name', 'sites.id as siteId', 'sites.name as siteName'])
      .where('totems.id', '=', totemId)
      .executeTakeFirstOrThrow();
    const offices = await this.o.db
      .selectFrom('site_offices')
      .innerJoin('offices', 'offices.id', 'site_offices.office_id')
      .select(['offices.id', 'offices.name', 'offices.walk_in'])
      .where('site_offices.site_id', '=', totem.siteId)
      .orderBy('offices.name')
      .execute();
    return {
      totemId: totem.id,
      totemName: totem.name,
      siteId: totem.siteId,
      siteName: totem.siteName,
      serverUrl: this.o.serverUrl(),
      turnServers: this.o.turnServers,
      languages: this.o.languages,
      offices: offices.map((o) => ({ id: o.id, name: o.name, walkIn: o.walk_in === 1 })),
      heartbeatSeconds: this.o.heartbeatSeconds,
      device: {},
    };
  }
}
