// A mock serial binding that ships with the package (after @serialport/binding-mock): create ports,
// push bytes as the device (`emitData`), read what the kiosk wrote (`lastWrite`, `writes`), and
// simulate unplugging and replugging, also under another path (H-1, H-2). Data is delivered
// asynchronously, as with a real port, so a reply never re-enters the code that wrote the request.
import type { SerialBinding, SerialHandle, SerialHandleEvents, SerialPortInfo } from './bindings.ts';
import { Emitter } from './emitter.ts';
import { DeviceError } from './events.ts';

export type MockPortInfo = Omit<SerialPortInfo, 'path'>;

export type MockSerialPortEvents = {
  /** Bytes the kiosk wrote, for a device emulator to answer. */
  write: [Uint8Array];
  open: [];
  close: [];
};

const WRITES_KEPT = 1000;

/** The device side of a mock port. */
export class MockSerialPort extends Emitter<MockSerialPortEvents> {
  #path: string;
  readonly info: MockPortInfo;
  /** Last bytes written by the kiosk, or null. */
  lastWrite: Uint8Array | null = null;
  /** Bytes written by the kiosk, oldest first (the last 1000 writes). */
  readonly writes: Uint8Array[] = [];
  /** When set, the next open attempts fail with this error (e.g. permission denied). */
  openError: DeviceError | undefined;
  #plugged = true;
  #handle: MockSerialHandle | undefined;
  readonly #binding: MockSerialBinding;

  constructor(binding: MockSerialBinding, path: string, info: MockPortInfo) {
    super();
    this.#binding = binding;
    this.#path = path;
    this.info = info;
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

  /** Sends bytes to the kiosk as if the device had written them. Ignored while no one has the port open. */
  emitData(data: Uint8Array | string): void {
    const bytes =
      typeof data === 'string' ? Uint8Array.from(data, (c) => c.charCodeAt(0) & 0xff) : data.slice();
    const handle = this.#handle;
    if (!handle) return;
    void Promise.resolve().then(() => handle.deliver(bytes));
  }

  /** Simulates pulling the cable: the open handle closes with an error and the port leaves the list. */
  unplug(): void {
    this.#plugged = false;
    this.#handle?.lose(new DeviceError('disconnected', `${this.#path} was unplugged`));
  }

  /** Simulates plugging the device back, under `path` when given (a new tty name, H-2). */
  replug(path?: string): void {
    if (path !== undefined && path !== this.#path) {
      this.#binding.renamePort(this.#path, path);
      this.#path = path;
    }
    this.#plugged = true;
  }

  /** @internal */
  attach(handle: MockSerialHandle | undefined): void {
    this.#handle = handle;
  }

  /** @internal */
  recordWrite(bytes: Uint8Array): void {
    this.lastWrite = bytes;
    this.writes.push(bytes);
    if (this.writes.length > WRITES_KEPT) this.writes.shift();
    void Promise.resolve().then(() => this.emit('write', bytes));
  }
}

class MockSerialHandle extends Emitter<SerialHandleEvents> implements SerialHandle {
  readonly path: string;
  readonly #port: MockSerialPort;
  #open = true;

  constructor(port: MockSerialPort) {
    super();
    this.path = port.path;
    this.#port = port;
  }

  get isOpen(): boolean {
    return this.#open;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.#open) return Promise.reject(new DeviceError('write-failed', `${this.path} is not open`));
    this.#port.recordWrite(bytes.slice());
    return Promise.resolve();
  }

  async close(): Promise<void> {
    if (!this.#open) return;
    this.#open = false;
    this.#port.attach(undefined);
    this.#port.emit('close');
    this.emit('close', undefined);
  }

  deliver(bytes: Uint8Array): void {
    if (this.#open) this.emit('data', bytes);
  }

  lose(error: Error): void {
    if (!this.#open) return;
    this.#open = false;
    this.#port.attach(undefined);
    this.#port.emit('close');
    void Promise.resolve().then(() => {
      this.emit('error', error);
      this.emit('close', error);
    });
  }
}

export class MockSerialBinding implements SerialBinding {
  readonly #ports = new Map<string, MockSerialPort>();
  readonly #handles = new Set<MockSerialHandle>();

  /** Adds a port the kiosk can list and open. */
  createPort(path: string, info: MockPortInfo = {}): MockSerialPort {
    const port = new MockSerialPort(this, path, info);
    this.#ports.set(path, port);
    return port;
  }

  port(path: string): MockSerialPort | undefined {
    return this.#ports.get(path);
  }

  /** Closes every handle and forgets every port. */
  reset(): void {
    for (const handle of this.#handles) void handle.close();
    this.#handles.clear();
    for (const port of this.#ports.values()) port.removeAllListeners();
    this.#ports.clear();
  }

  /** Handles opened and not yet closed; a closed consumer must leave none (leak check). */
  get openHandles(): number {
    let n = 0;
    for (const h of this.#handles) if (h.isOpen) n++;
    return n;
  }

  /** Listeners still attached to handles the binding gave out (leak check). */
  get handleListeners(): number {
    let n = 0;
    for (const h of this.#handles) n += h.listenerCount();
    return n;
  }

  async list(): Promise<SerialPortInfo[]> {
    return [...this.#ports.values()].filter((p) => p.plugged).map((p) => ({ path: p.path, ...p.info }));
  }

  async open(path: string, _options: { baudRate: number }): Promise<SerialHandle> {
    const port = this.#ports.get(path);
    if (!port || !port.plugged) throw new DeviceError('not-found', `${path} does not exist`);
    if (port.openError) throw port.openError;
    if (port.isOpen) throw new DeviceError('open-failed', `${path} is already open (locked)`);
    const handle = new MockSerialHandle(port);
    port.attach(handle);
    // Closed handles are kept for the leak check until nothing listens to them any more.
    for (const h of this.#handles) if (!h.isOpen && h.listenerCount() === 0) this.#handles.delete(h);
    this.#handles.add(handle);
    port.emit('open');
    return handle;
  }

  /** @internal */
  renamePort(from: string, to: string): void {
    const port = this.#ports.get(from);
    if (!port) return;
    this.#ports.delete(from);
    this.#ports.set(to, port);
  }
}
