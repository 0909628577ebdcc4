import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A text file written in 64 KiB chunks: memory stays flat however much is written. Written under a
 * temporary name in the same folder and renamed into place by `close()`, so a reader never sees a
 * half-written file; `abort()` removes the temporary file.
 */
export class FileSink {
  private fd: number;
  private chunks: string[] = [];
  private pending = 0;
  private readonly tempPath: string;
  bytes = 0;

  constructor(
    readonly path: string,
    mode = 0o644,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.tempPath = `${path}.${process.pid}.tmp`;
    this.fd = openSync(this.tempPath, 'w', mode);
  }

  write(text: string): void {
    this.chunks.push(text);
    this.pending += text.length;
    if (this.pending >= 65536) this.flush();
  }

  private flush(): void {
    if (this.chunks.length === 0) return;
    const buf = Buffer.from(this.chunks.join(''), 'utf8');
    this.chunks = [];
    this.pending = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off, buf.length - off);
    this.bytes += buf.length;
  }

  /** Flushes, optionally fsyncs, and moves the file into place. */
  close(opts: { sync?: boolean } = {}): void {
    this.flush();
    if (opts.sync) fsyncSync(this.fd);
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tempPath, this.path);
  }

  abort(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
    rmSync(this.tempPath, { force: true });
  }
}
