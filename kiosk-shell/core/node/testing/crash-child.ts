// A child process for the crash tests (S-2, S-8), killed by its parent. It applies feed pages to the
// agenda cache and writes check-ins to the outbox in a loop, printing a line after each commit:
// "cursor <n>" and "ack <key>". With SPORTELLO_CRASH_AT set, it kills itself with SIGKILL at that
// point inside the apply transaction instead ('after-rows': rows written, cursor not yet;
// 'after-cursor': both written, not committed). Test support only.
import { writeSync } from 'node:fs';
import { AgendaCache } from '../agenda-cache.ts';
import { Outbox } from '../outbox.ts';
import { crashPage, crashSnapshot } from './crash-pages.ts';

const dir = process.env.SPORTELLO_CRASH_DIR;
if (!dir) throw new Error('SPORTELLO_CRASH_DIR is required');
const crashAt = process.env.SPORTELLO_CRASH_AT;
const pages = Number(process.env.SPORTELLO_CRASH_PAGES ?? Infinity);

const cache = new AgendaCache(dir);
const outbox = new Outbox(dir);
const die = () => process.kill(process.pid, 'SIGKILL');
if (crashAt === 'after-rows') cache.testHooks.afterRows = die;
if (crashAt === 'after-cursor') cache.testHooks.afterCursor = die;
const say = (line: string) => writeSync(1, `${line}\n`);

if (cache.cursor === undefined) cache.installSnapshot(crashSnapshot(), 'centro');
say('ready');
for (let i = 0; i < pages; i++) {
  const from = cache.cursor!;
  const page = crashPage(from);
  cache.applyChanges(page.changes, page.cursor, page.serverTime);
  say(`cursor ${page.cursor}`);
  const key = outbox.addCheckIn({
    bookingId: `k${page.cursor}`,
    codeHash: cache.hash(`k${page.cursor}`)!,
    occurredAt: page.serverTime,
  });
  say(`ack ${key}`);
}
cache.close();
outbox.close();
