// The real HID binding over `node-hid` (HIDAsync). node-hid's native part needs hidraw or libusb at
// run time, so it is imported lazily: this module always loads, and a missing library becomes a
// DeviceError 'hid-unavailable' with a message a technician can act on.
import { access, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type * as NodeHidModule from 'node-hid';
import type { HidBinding, HidDeviceInfo, HidHandle, HidHandleEvents } from '../common/bindings.ts';
import { Emitter } from '../common/emitter.ts';
import { DeviceError } from '../common/events.ts';

type NodeHid = typeof NodeHidModule;
type HIDAsync = Awaited<ReturnType<NodeHid['HIDAsync']['open']>>;

let loading: Promise<NodeHid> | undefined;

/** Loads node-hid once; rejects with 'hid-unavailable' when its native binding cannot load. */
export function loadNodeHid(): Promise<NodeHid> {
  loading ??= import('node-hid')
    .then((mod) => {
      const lib = ((mod as { default?: NodeHid }).default ?? mod) as NodeHid;
      // Touch the native binding now, so a missing libusb/hidraw fails here and not mid-call.
      lib.getHidapiVersion();
      return lib;
    })
    .catch((error: unknown) => {
      loading = undefined;
      throw new DeviceError(
        'hid-unavailable',
        `node-hid cannot load its native library (${(error as Error).message}): install libusb-1.0 / ` +
          'enable hidraw, or use a serial board',
        { cause: error },
      );
    });
  return loading;
}

class NodeHidHandle extends Emitter<HidHandleEvents> implements HidHandle {
  readonly path: string;
  readonly #device: HIDAsync;
  #closing: Promise<void> | undefined;

  constructor(path: string, device: HIDAsync) {
    super();
    this.path = path;
    this.#device = device;
    device.on('data', (data: Buffer) => this.emit('data', new Uint8Array(data)));
    device.on('error', (error: Error) => this.emit('error', error));
  }

  async getReportDescriptor(): Promise<Uint8Array> {
    const native = this.#device as unknown as { getReportDescriptor?: () => Promise<Buffer> };
    if (typeof native.getReportDescriptor === 'function')
      return new Uint8Array(await native.getReportDescriptor());
    // Older node-hid has no getReportDescriptor; on Linux hidraw, sysfs exposes the descriptor.
    if (process.platform === 'linux' && /^\/dev\/hidraw\d+$/.test(this.path)) {
      try {
        return new Uint8Array(
          await readFile(`/sys/class/hidraw/${basename(this.path)}/device/report_descriptor`),
        );
      } catch (error) {
        throw new DeviceError(
          'descriptor-unavailable',
          `cannot read the descriptor from sysfs: ${(error as Error).message}`,
        );
      }
    }
    throw new DeviceError(
      'descriptor-unavailable',
      'this node-hid and platform cannot read report descriptors',
    );
  }

  async write(report: Uint8Array): Promise<void> {
    // node-hid wants the report ID first, 0 for devices without report IDs, as we build them.
    await this.#device.write(Array.from(report));
  }

  close(): Promise<void> {
    this.#closing ??= this.#device
      .close()
      .catch(() => undefined)
      .then(() => {
        this.#device.removeAllListeners();
        this.emit('close', undefined);
        this.removeAllListeners();
      });
    return this.#closing;
  }
}

export const nodeHidBinding: HidBinding = {
  async devices(): Promise<HidDeviceInfo[]> {
    const hid = await loadNodeHid();
    const list = await hid.devicesAsync();
    return list
      .filter((d) => d.path)
      .map((d) => {
        const info: HidDeviceInfo = {
          path: d.path!,
          vendorId: d.vendorId,
          productId: d.productId,
          interface: d.interface,
        };
        if (d.serialNumber) info.serialNumber = d.serialNumber;
        if (d.manufacturer) info.manufacturer = d.manufacturer;
        if (d.product) info.product = d.product;
        if (d.usagePage !== undefined) info.usagePage = d.usagePage;
        if (d.usage !== undefined) info.usage = d.usage;
        return info;
      });
  },

  async open(path: string): Promise<HidHandle> {
    const hid = await loadNodeHid();
    try {
      return new NodeHidHandle(path, await hid.HIDAsync.open(path));
    } catch (error) {
      const message = (error as Error).message;
      // node-hid gives the same message for a missing device and a permission problem: look for the path.
      const exists =
        !path.startsWith('/dev/') ||
        (await access(path).then(
          () => true,
          () => false,
        ));
      const code = exists ? 'open-failed' : 'not-found';
      throw new DeviceError(
        code,
        `cannot open HID device ${path}: ${message} (permissions: see the udev rule in devices/README.md)`,
        {
          cause: error,
        },
      );
    }
  },
};
