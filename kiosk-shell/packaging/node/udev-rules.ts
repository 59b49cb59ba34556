// The udev rules that give the kiosk user exactly its handset and keypad devices, by USB identity:
// the hidraw node of each HID handset or keypad, the tty of each controller board, owned by the
// kiosk user, mode 0600, and nothing else. The display, input and sound of the seat come from the
// logind session of the kiosk's systemd unit instead.
//
// The shipped file (kiosk-shell/packaging/udev/70-sportello-kiosk.rules) is this module's output for
// DEFAULT_DEVICES; for other devices, write your own with
//   node --import tsx kiosk-shell/packaging/node/udev-rules.ts hid:0b0e:0412 serial:1209:5e11:SN123 \
//     > /etc/udev/rules.d/70-sportello-kiosk.rules
// (a file in /etc replaces the packaged one of the same name), then `udevadm control --reload` and
// `udevadm trigger`. docs/totem-install.md, "Devices".
import { pathToFileURL } from 'node:url';

export interface KioskUsbDevice {
  kind: 'hid' | 'serial';
  vendorId: number;
  productId: number;
  /** Recommended when several identical devices may be plugged in. */
  serialNumber?: string;
}

export const KIOSK_USER = 'sportello-kiosk';

/** The Sportello controller board (pid.codes test id 1209:5e11, devices/PROTOCOL.md). */
export const DEFAULT_DEVICES: readonly KioskUsbDevice[] = [
  { kind: 'serial', vendorId: 0x1209, productId: 0x5e11 },
];

const hex4 = (n: number) => n.toString(16).padStart(4, '0');

/** Parses "hid:0b0e:0412" or "serial:1209:5e11:SERIAL"; throws with a message naming the bad part. */
export function parseDeviceArg(arg: string): KioskUsbDevice {
  const [kind, vid, pid, ...serial] = arg.split(':');
  if (kind !== 'hid' && kind !== 'serial') throw new Error(`${arg}: the kind must be hid or serial`);
  for (const [name, v] of [
    ['vendor id', vid],
    ['product id', pid],
  ] as const) {
    if (!v || !/^[0-9a-fA-F]{4}$/.test(v)) throw new Error(`${arg}: the ${name} must be 4 hex digits`);
  }
  const serialNumber = serial.join(':');
  if (serialNumber && !/^[A-Za-z0-9._-]{1,64}$/.test(serialNumber)) {
    throw new Error(`${arg}: the serial number may hold letters, digits, '.', '_' and '-' only`);
  }
  return {
    kind,
    vendorId: Number.parseInt(vid!, 16),
    productId: Number.parseInt(pid!, 16),
    ...(serialNumber ? { serialNumber } : {}),
  };
}

/** The rules file for these devices. */
export function udevRules(devices: readonly KioskUsbDevice[], user = KIOSK_USER): string {
  const lines = [
    '# Sportello kiosk: the handset and keypad devices, and only they, for the kiosk user.',
    '# Made by kiosk-shell/packaging/node/udev-rules.ts; see docs/totem-install.md, "Devices".',
  ];
  for (const d of devices) {
    const id = `${hex4(d.vendorId)}:${hex4(d.productId)}${d.serialNumber ? ` (${d.serialNumber})` : ''}`;
    const match = [
      `SUBSYSTEM=="${d.kind === 'hid' ? 'hidraw' : 'tty'}"`,
      `ATTRS{idVendor}=="${hex4(d.vendorId)}"`,
      `ATTRS{idProduct}=="${hex4(d.productId)}"`,
      ...(d.serialNumber ? [`ATTRS{serial}=="${d.serialNumber}"`] : []),
    ];
    const grant = [`OWNER="${user}"`, `GROUP="${user}"`, 'MODE="0600"'];
    if (d.kind === 'serial') grant.push('SYMLINK+="sportello-handset"');
    lines.push(`# ${d.kind === 'hid' ? 'USB HID handset or keypad' : 'controller board'} ${id}`);
    lines.push([...match, ...grant].join(', '));
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = process.argv.slice(2);
    process.stdout.write(udevRules(args.length ? args.map(parseDeviceArg) : DEFAULT_DEVICES));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\nusage: udev-rules.ts hid|serial:VID:PID[:SERIAL] …\n`);
    process.exit(2);
  }
}
