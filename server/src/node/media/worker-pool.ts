// A pool of mediasoup workers, one per core by default. A worker that dies is logged, the rooms on
// it are told (so their calls end cleanly on both sides), and a new worker takes its place.
import type { types } from 'mediasoup';
import { EventEmitter } from 'node:events';
import type { Logger } from '../logger.ts';
import { prepareWorkerBinary, workerSettings } from './mediasoup-compat.ts';

export interface WorkerPoolEvents {
  workerDied: [worker: types.Worker];
  workerReplaced: [worker: types.Worker];
}

export class WorkerPool extends EventEmitter<WorkerPoolEvents> {
  private readonly workers: types.Worker[] = [];
  private next = 0;
  private closed = false;

  private constructor(
    private readonly log: Logger,
    private readonly settings: types.WorkerSettings,
    private readonly createWorker: (settings: types.WorkerSettings) => Promise<types.Worker>,
  ) {
    super();
  }

  static async create(
    size: number,
    ports: { rtcMinPort: number; rtcMaxPort: number },
    log: Logger,
  ): Promise<WorkerPool> {
    prepareWorkerBinary();
    // mediasoup reads MEDIASOUP_WORKER_BIN when its module loads, so it is loaded only now.
    const { createWorker } = await import('mediasoup');
    const pool = new WorkerPool(log, workerSettings(ports.rtcMinPort, ports.rtcMaxPort), createWorker);
    for (let i = 0; i < size; i++) pool.workers.push(await pool.spawn());
    return pool;
  }

  get size(): number {
    return this.workers.length;
  }

  /** The pids, for diagnostics and for tests that kill a worker on purpose. */
  pids(): number[] {
    return this.workers.map((w) => w.pid);
  }

  /** Round-robin: calls are short and alike, so spreading them evenly is enough. */
  pick(): types.Worker {
    if (this.workers.length === 0) throw new Error('no mediasoup worker is running');
    const worker = this.workers[this.next % this.workers.length]!;
    this.next++;
    return worker;
  }

  private async spawn(): Promise<types.Worker> {
    const worker = await this.createWorker(this.settings);
    worker.on('died', (error) => {
      this.log.error({ pid: worker.pid, err: error }, 'mediasoup worker died');
      const index = this.workers.indexOf(worker);
      if (index >= 0) this.workers.splice(index, 1);
      this.emit('workerDied', worker);
      if (!this.closed) void this.replace();
    });
    this.log.info({ pid: worker.pid }, 'mediasoup worker started');
    return worker;
  }

  private async replace(): Promise<void> {
    try {
      const worker = await this.spawn();
      if (this.closed) {
        worker.close();
        return;
      }
      this.workers.push(worker);
      this.emit('workerReplaced', worker);
    } catch (err) {
      this.log.error({ err }, 'could not start a replacement mediasoup worker');
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.workers.splice(0)) w.close();
    this.removeAllListeners();
  }
}
