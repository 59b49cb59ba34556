// The kiosk comes up on its idle screen without waiting for the network: an enrolled totem whose
// server takes the token request and never answers still starts at once, from its cache, and the
// first token is still being asked for (the request is held open by the server, not skipped).
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TOTEM_FILES, TOTEM_ROUTES } from '@sportello/protocol';
import { startKioskRuntime, type KioskRuntime } from './runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'sportello-runtime-start-'));
/** A server that takes every request and answers none. */
let server: Server;
const held: { req: IncomingMessage; res: ServerResponse }[] = [];
let tokenAsked!: () => void;
const tokenHeld = new Promise<void>((resolve) => (tokenAsked = resolve));
let runtime: KioskRuntime | undefined;

before(async () => {
  server = createServer((req, res) => {
    held.push({ req, res });
    if (req.url === TOTEM_ROUTES.token.path) tokenAsked();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  // An enrolled totem, as `provisioning enroll` leaves it: its key and who it is.
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(join(dir, TOTEM_FILES.privateKey), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(
    join(dir, TOTEM_FILES.identity),
    JSON.stringify({
      totemId: 'totem-1',
      totemName: 'Atrio',
      siteId: 'site-1',
      serverUrl: `http://127.0.0.1:${port}`,
      enrolledAt: '2026-01-05T09:00:00.000Z',
      keyFingerprint: 'ab'.repeat(32),
    }),
  );
});

after(async () => {
  await runtime?.close();
  for (const { res } of held) res.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

// A bound against a hang (the old start waited for the token up to its deadline), not a figure.
test(
  'an enrolled kiosk whose server never answers its token request starts at once on the idle screen',
  { timeout: 60_000 },
  async () => {
    runtime = await startKioskRuntime({
      dataDir: dir,
      disk: false,
      fleet: false,
      // Far beyond the test: the start must not be what waits for this deadline.
      identity: { timeoutMs: 600_000 },
    });
    assert.equal(runtime.core.getState().screen.screen, 'idle');
    // The token request went out and is still held by the server: the start did not wait for it.
    await tokenHeld;
    const token = held.find(({ req }) => req.url === TOTEM_ROUTES.token.path)!;
    assert.ok(!token.res.writableEnded && !token.req.destroyed, 'the token request is still unanswered');
    assert.equal(runtime.core.getState().screen.screen, 'idle');
  },
);
