// The site key: the HMAC key of the booking codes, received with a snapshot and kept in a file of
// its own (mode 0600) beside the agenda database, never in it, so that a copy of the database alone
// reveals no way to test codes (C-4). Written atomically: a temporary file, fsync, rename.
import { createHmac } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';

export class SiteKeyFile {
  private key: Buffer | undefined;

  constructor(private readonly file: string) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8').trim();
      if (text) this.key = Buffer.from(text, 'base64');
    }
  }

  get present(): boolean {
    return this.key !== undefined;
  }

  write(base64: string): void {
    if (this.key?.toString('base64') === Buffer.from(base64, 'base64').toString('base64')) return;
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, base64);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
    this.key = Buffer.from(base64, 'base64');
  }

  hmac(text: string): string | undefined {
    return this.key ? createHmac('sha256', this.key).update(text).digest('hex') : undefined;
  }

  /** A fingerprint of the key that reveals nothing of it, stored with the rows it hashed. */
  check(): string | undefined {
    return this.key
      ? createHmac('sha256', this.key).update('sportello-site-key-check').digest('hex')
      : undefined;
  }
}
