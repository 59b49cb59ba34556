import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attachBoardToMockPort } from '../common/board-emulator.ts';
import { Emitter } from '../common/emitter.ts';
import { DeviceError } from '../common/events.ts';
import { TELEPHONY_HANDSET } from '../common/fixtures/hid-descriptors.ts';
import { MockHidBinding } from '../common/hid-mock.ts';
import { MockSerialBinding } from '../common/serial-mock.ts';
import type { WatchEvent } from './technician.ts';
import { guessHid, listCandidates, watchDevice } from './technician.ts';

test('listCandidates lists serial ports and HID devices with a first guess of what they are', async () => {
  const serial = new MockSerialBinding();
  serial.createPort('/dev/ttyACM0', { vendorId: 0x1209, productId: 0x5e11, manufacturer: 'Acme' });
  const hid = new MockHidBinding();
  hid.addDevice('/dev/hidraw0', {
    vendorId: 1,
    productId: 2,
    usagePage: 0x0b,
    usage: 0x04,
    descriptor: TELEPHONY_HANDSET,
  });
  hid.addDevice('/dev/hidraw1', { vendorId: 1, productId: 3, usagePage: 0x01, usage: 0x06 });
  const list = await listCandidates({ serial, hid });
  assert.deepEqual(list.serial, [
    { path: '/dev/ttyACM0', vendorId: 0x1209, productId: 0x5e11, manufacturer: 'Acme' },
  ]);
  assert.deepEqual(
    list.hid.map((d) => [d.path, d.guess]),
    [
      ['/dev/hidraw0', 'telephony'],
      ['/dev/hidraw1', 'keyboard'],
    ],
  );
  assert.deepEqual(list.problems, []);
  assert.equal(guessHid({ usagePage: 0xff00 }), 'vendor');
});

test('listCandidates turns a missing udev or libusb into a problem entry, not an exception', async () => {
  const serial = new MockSerialBinding();
  serial.list = async () => {
    throw new DeviceError('list-failed', 'cannot list serial ports (udevadm not found)');
  };
  const hid = new MockHidBinding();
  hid.unavailable = new DeviceError('hid-unavailable', 'node-hid cannot load its native library');
  const list = await listCandidates({ serial, hid });
  assert.deepEqual(list.problems, [
    { source: 'serial', code: 'list-failed', message: 'cannot list serial ports (udevadm not found)' },
    { source: 'hid', code: 'hid-unavailable', message: 'node-hid cannot load its native library' },
  ]);
});

test('listCandidates works against the real bindings of this machine', async () => {
  const list = await listCandidates();
  assert.ok(Array.isArray(list.serial) && Array.isArray(list.hid));
  for (const p of list.problems) assert.ok(p.message.length > 0);
});

test('watchDevice reports status, domain events and raw traffic until closed', async () => {
  const serial = new MockSerialBinding();
  const port = serial.createPort('/dev/ttyACM0');
  const { board } = attachBoardToMockPort(port);
  const seen = new Emitter<{ watch: [WatchEvent] }>();
  const watch = watchDevice({ kind: 'serial', path: '/dev/ttyACM0' }, (e) => seen.emit('watch', e), {
    serial,
  });
  await seen.next('watch', (e) => e.kind === 'status' && e.status.state === 'ok');
  const key = seen.next('watch', (e) => e.kind === 'event' && e.event.type === 'key');
  const trace = seen.next('watch', (e) => e.kind === 'trace' && e.trace.note === 'key');
  board.type('9');
  await Promise.all([key, trace]);
  await watch.setLed(true);
  assert.equal(board.leds.get(0), true);
  await watch.close();
  await watch.close();
  assert.equal(serial.openHandles, 0);
  assert.equal(serial.handleListeners, 0);
});
