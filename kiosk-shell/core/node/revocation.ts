// Revocation (P-3): when the server says this totem's identity was revoked (socket event
// totem:revoked, or a token request refused because the totem is not enrolled any more), a call in
// progress ends as if the citizen had hung up, the totem shows out of service with the reason, stops
// talking to the server, and wipes what a thief could use: the agenda cache (and any quarantined
// copy), the site key and its own identity (key, identity, site configuration). The outbox of
// check-ins and call-backs not yet delivered stays: it is the citizens' request, and a re-enrolled
// totem delivers it. To come back, the totem is enrolled again and restarted.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { wipeIdentityFiles } from './identity.ts';

export interface RevocationParts {
  core: { outOfService(reason: string): void; close(): void };
  link: { close(): void };
  cache: { dataDir: string; close(): void };
  /** Where the identity lives (the enrolled data directory); absent for demo totems. */
  identity?: { wipe(): void };
  /** Stops heartbeats and remote actions. */
  stopFleet?: () => void;
  log?: (msg: string, detail?: unknown) => void;
}

/** Agenda cache files in the data directory: the database, its journals, quarantined copies, the site key. */
const AGENDA_FILE = /^(agenda\.db(-wal|-shm|\.corrupt-.*)?|site\.key(\.tmp)?)$/;

export function applyRevocation(parts: RevocationParts, reason: string): void {
  const log = parts.log ?? (() => {});
  log(`this totem was revoked: ${reason}; going out of service and wiping its keys and cache`);
  // The screen first, so that a citizen in a call sees the end at once.
  parts.core.outOfService(reason);
  parts.stopFleet?.();
  parts.link.close();
  // The core stops its sync and outbox (the last state, out of service, stays on the page).
  parts.core.close();
  parts.cache.close();
  wipeAgendaFiles(parts.cache.dataDir);
  parts.identity?.wipe();
}

export function wipeAgendaFiles(dataDir: string): void {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch {
    return;
  }
  for (const name of names) if (AGENDA_FILE.test(name)) rmSync(join(dataDir, name), { force: true });
}

export { wipeIdentityFiles };
