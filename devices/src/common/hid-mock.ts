// A mock HID binding with the same shape as the node-hid one: add devices with a report descriptor,
// push input reports, read back the output reports written (`lastWrite`, `writes`), unplug and replug
// (also under another path). Reports are delivered asynchronously, as node-hid does from its read
// thread.
import type { HidBinding, HidDeviceInfo, HidHandle, HidHandleEvents } from './bindings.ts';
import { Emitter } from './emitter.ts';
import { DeviceError } from './events.ts';

export interface MockHidDeviceOptions extends Omit<HidDeviceInfo, 'path'> {
  /** The report descriptor; omit to simulate a platform that cannot read it. */
  descriptor?: Uint8Array;
}

export class MockHidDevice {
  #path: string;
  readonly options: MockHidDeviceOptions;
  #plugged = true;
  #handle: MockHidHandle | undefined;
  readonly #binding: MockHidBinding;
  /** Every output report written to the device, oldest first (byte 0 = report ID). */
  readonly writes: Uint8Array[] = [];
  /** When set, writes fail with this error (a device that refuses output reports). */
  failWrites: Error | undefined;

  constructor(binding: MockHidBinding, path: string, options: MockHidDeviceOptions) {
    this.#binding = binding;
    this.#path = path;
    this.options = options;
  }

  get path(): string {
    return this.#path;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  get isOpen(): boolean {
    return this.#handle?.isOpen ?? false;
  }

  /** Sends one input report (byte 0 = report ID when the device numbers its reports). */
  pushReport(report: Uint8Array | number[]): void {
    const bytes = Uint8Array.from(report);
    const handle = this.#handle;
    if (handle) void Promise.resolve().then(() => handle.deliver(bytes));
  }

  /** The last output report written, or undefined. */
  get lastWrite(): Uint8Array | undefined {
    return this.writes.at(-1);
  }

  /** Simulates pulling the device: node-hid reports a read error, and the device leaves the list. */
  unplug(): void {
    this.#plugged = false;
    this.#handle?.lose(new DeviceError('disconnected', `could not read from HID device ${this.#path}`));
  }

  replug(path?: string): void {
    if (path !== undefined && path !== this.#path) {
      this.#binding.renameDevice(this.#path, path);
      this.#path = path;
    }
    this.#plugged = true;
  }

  /** @internal */
  attach(handle: MockHidHandle | undefined): void {
    this.#handle = handle;
  }
}

class MockHidHandle extends Emitter<HidHandleEvents> implements HidHandle {
  readonly path: string;
  readonly #device: MockHidDevice;
  #open = true;

  constructor(device: MockHidDevice) {
    super();
    this.path = device.path;
    this.#device = device;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  async getReportDescriptor(): Promise<Uint8Array> {
    const descriptor = this.#device.options.descriptor;
    if (!descriptor) throw new DeviceError('descriptor-unavailable', 'this mock device has no descriptor');
    return descriptor.slice();
  }

  async write(report: Uint8Array): Promise<void> {
    if (!this.#open) throw new DeviceError('closed', 'the mock HID handle is closed');
    if (this.#device.failWrites) throw this.#device.failWrites;
    this.#device.writes.push(Uint8Array.from(report));
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#device.attach(undefined);
    this.emit('close', undefined);
  }

  deliver(bytes: Uint8Array): void {
    if (this.#open) this.emit('data', bytes);
  }

  lose(error: Error): void {
    if (!this.#open) return;
    this.#open = false;
    this.#device.attach(undefined);
    void Promise.resolve().then(() => this.emit('error', error));
  }
}

export class MockHidBinding implements HidBinding {
  readonly #devices = new Map<string, MockHidDevice>();
  readonly #handles = new Set<MockHidHandle>();
  /** When set, devices() and open() fail as when the native library is missing. */
  unavailable: DeviceError | undefined;

  addDevice(path: string, options: MockHidDeviceOptions): MockHidDevice {
    const device = new MockHidDevice(this, path, options);
    this.#devices.set(path, device);
    return device;
  }

  device(path: string): MockHidDevice | undefined {
    return this.#devices.get(path);
  }

  reset(): void {
    for (const handle of this.#handles) void handle.close();
    this.#handles.clear();
    this.#devices.clear();
    this.unavailable = undefined;
  }

  get openHandles(): number {
    let n = 0;
    for (const h of this.#handles) if (h.isOpen) n++;
    return n;
  }

  get handleListeners(): number {
    let n = 0;
    for (const h of this.#handles) n += h.listenerCount();
    return n;
  }

  async devices(): Promise<HidDeviceInfo[]> {
    if (this.unavailable) throw this.unavailable;
    return [...this.#devices.values()]
      .filter((d) => d.plugged)
      .map((d) => {
        const { descriptor: _descriptor, ...info } = d.options;
        return { ...info, path: d.path };
      });
  }

  async open(path: string): Promise<HidHandle> {
    if (this.unavailable) throw this.unavailable;
    const device = this.#devices.get(path);
    if (!device || !device.plugged) throw new DeviceError('not-found', `HID device ${path} does not exist`);
    const handle = new MockHidHandle(device);
    device.attach(handle);
    for (const h of this.#handles) if (!h.isOpen && h.listenerCount() === 0) this.#handles.delete(h);
    this.#handles.add(handle);
    return handle;
  }

  /** @internal */
  renameDevice(from: string, to: string): void {
    const device = this.#devices.get(from);
    if (!device) return;
    this.#devices.delete(from);
    this.#devices.set(to, device);
  }
}
