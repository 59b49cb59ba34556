// The real serial binding over the `serialport` package, reduced to the SerialBinding interface.
import { SerialPort } from 'serialport';
import type { SerialBinding, SerialHandle, SerialHandleEvents, SerialPortInfo } from '../common/bindings.ts';
import { Emitter } from '../common/emitter.ts';
import { DeviceError } from '../common/events.ts';

class NodeSerialHandle extends Emitter<SerialHandleEvents> implements SerialHandle {
  readonly path: string;
  readonly #port: SerialPort;
  #closing: Promise<void> | undefined;

  constructor(port: SerialPort) {
    super();
    this.path = port.path;
    this.#port = port;
    port.on('data', (chunk: Buffer) => this.emit('data', new Uint8Array(chunk)));
    port.on('error', (error: Error) => this.emit('error', error));
    // serialport emits 'close' with an error whose `disconnected` is true when the device went away.
    port.on('close', (error: Error | null) =>
      this.emit('close', this.#closing ? undefined : (error ?? undefined)),
    );
  }

  get isOpen(): boolean {
    return this.#port.isOpen;
  }

  write(bytes: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.#port.isOpen) return reject(new DeviceError('write-failed', `${this.path} is not open`));
      this.#port.write(Buffer.from(bytes), (error) =>
        error ? reject(new DeviceError('write-failed', error.message, { cause: error })) : resolve(),
      );
    });
  }

  close(): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (!this.#port.isOpen) return resolve();
      this.#port.close(() => resolve());
    }).then(() => {
      this.#port.removeAllListeners();
      // A write still in flight may fail after the close; an 'error' with no listener would crash Node.
      this.#port.on('error', () => undefined);
      this.removeAllListeners();
    });
    return this.#closing;
  }
}

function hexId(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const n = Number.parseInt(value, 16);
  return Number.isNaN(n) ? undefined : n;
}

export const nodeSerialBinding: SerialBinding = {
  async list(): Promise<SerialPortInfo[]> {
    let ports: Awaited<ReturnType<typeof SerialPort.list>>;
    try {
      ports = await SerialPort.list();
    } catch (error) {
      throw new DeviceError(
        'list-failed',
        `cannot list serial ports (${(error as Error).message}): is udev running? Configure the port by path instead`,
        { cause: error },
      );
    }
    return ports.map((p) => {
      const info: SerialPortInfo = { path: p.path };
      const vendorId = hexId(p.vendorId);
      const productId = hexId(p.productId);
      if (vendorId !== undefined) info.vendorId = vendorId;
      if (productId !== undefined) info.productId = productId;
      if (p.serialNumber) info.serialNumber = p.serialNumber;
      if (p.manufacturer) info.manufacturer = p.manufacturer;
      return info;
    });
  },

  open(path: string, options: { baudRate: number }): Promise<SerialHandle> {
    return new Promise((resolve, reject) => {
      const port = new SerialPort({ path, baudRate: options.baudRate, autoOpen: false });
      port.open((error) => {
        if (!error) return resolve(new NodeSerialHandle(port));
        port.removeAllListeners();
        port.on('error', () => undefined);
        const code = /ENOENT|No such file/i.test(error.message) ? 'not-found' : 'open-failed';
        reject(new DeviceError(code, `cannot open ${path}: ${error.message}`, { cause: error }));
      });
    });
  },
};
