import { createCipheriv, randomBytes } from 'node:crypto';
import { syncFile } from './durable.js';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createBodyWriter } from './body-writer.js';
import { encodeHeader, IV_LENGTH, SALT_LENGTH } from './header.js';
import { deriveKey } from './key.js';
import { ParallelGzip } from './parallel-gzip.js';
import type {
  BackupHeader,
  BackupTable,
  DbRow,
  DbValue,
  JsonRowsText,
  RawDbRow,
  WriteBackupOptions,
} from './types.js';

/** Body text is encoded row by row into buffers of this size, which go to the compressor. */
const TEXT_CHUNK = 256 * 1024;

export interface BackupWriter {
  readonly header: BackupHeader;
  /** Adds a row; resolves when the output can take more (back-pressure). */
  write(row: DbRow): Promise<void> | void;
  /** The same for a row as SQLite returns it in raw mode: values in the order of `columns`. */
  writeRaw(
    table: BackupTable,
    columns: readonly string[],
    values: readonly DbValue[],
  ): Promise<void> | void;
  /** Rows already written as text (format 2; see {@link JsonRowsText}). */
  writeJsonRows(texts: readonly string[]): Promise<void> | void;
  /** Closes the body, writes the tag, ends `out`; resolves with the bytes written. */
  finish(): Promise<{ bytes: number }>;
  /** Gives up: stops compressing and writing (does not end or destroy `out`). */
  abort(): Promise<void>;
}

async function writeTo(out: NodeJS.WritableStream, data: Buffer): Promise<void> {
  if (data.length === 0) return;
  if (!out.write(data)) await once(out as NodeJS.EventEmitter, 'drain');
}

/**
 * Streams a backup into `out`: header, then gzip (compressed in parallel blocks) → AES-128-GCM
 * (fresh random IV and salt), then the tag. The body is what Conversations' exporter writes for the rows given, in that order.
 */
export async function createBackupWriter(
  out: NodeJS.WritableStream,
  opts: WriteBackupOptions,
): Promise<BackupWriter> {
  const version = opts.version ?? 2;
  const header: BackupHeader = {
    version,
    app: opts.app ?? 'Conversations',
    jid: opts.jid,
    timestamp: opts.timestamp ?? BigInt(Date.now()),
    iv: randomBytes(IV_LENGTH),
    salt: randomBytes(SALT_LENGTH),
  };
  const headerBytes = encodeHeader(header);
  const key = await deriveKey(opts.password, header.salt);
  const cipher = createCipheriv('aes-128-gcm', key, header.iv);
  const body = createBodyWriter(version);
  let bytes = 0;
  let failure: unknown;
  let aborted = false;
  // An output failure (e.g. disk full) can come while nothing waits on `out`: remember it.
  (out as NodeJS.EventEmitter).once('error', (err: Error) => {
    failure ??= err;
  });
  const emit = async (data: Buffer): Promise<void> => {
    if (failure !== undefined) throw failure;
    if (aborted) return;
    const enc = cipher.update(data);
    bytes += enc.length;
    await writeTo(out, enc);
  };
  // Compressed block by block on the thread pool (see parallel-gzip.ts), then encrypted in order.
  const gzip = new ParallelGzip(emit);

  bytes += headerBytes.length;
  await writeTo(out, headerBytes);

  // Each row's text is written as UTF-8 straight into the current buffer: much faster than
  // joining the rows' strings and converting the whole (V8 flattens and re-scans long strings).
  let chunk = Buffer.allocUnsafe(TEXT_CHUNK);
  let used = 0;
  const flush = async (): Promise<void> => {
    if (used === 0) return;
    const full = chunk.subarray(0, used);
    chunk = Buffer.allocUnsafe(TEXT_CHUNK);
    used = 0;
    await gzip.write(full);
  };
  const add = (text: string): Promise<void> | undefined => {
    // At most 3 bytes per UTF-16 unit; a longer text is measured.
    if (text.length * 3 > TEXT_CHUNK - used && Buffer.byteLength(text) > TEXT_CHUNK - used) {
      if (text.length * 3 > TEXT_CHUNK) return flush().then(() => gzip.write(Buffer.from(text)));
      return flush().then(() => {
        used += chunk.write(text, used);
      });
    }
    used += chunk.write(text, used);
    return undefined;
  };
  const addAll = (texts: readonly string[], from: number): Promise<void> | undefined => {
    for (let i = from; i < texts.length; i++) {
      const wait = add(body.jsonRows(texts[i] as string));
      // Now and then a buffer of text is full: the rest once it has gone to the compressor.
      if (wait) return wait.then(() => addAll(texts, i + 1));
    }
    return undefined;
  };

  return {
    header,
    // Not async: a promise only when a buffer of text goes to the compressor.
    write(row) {
      return add(body.row(row));
    },
    writeRaw(table, columns, values) {
      return add(body.rowRaw(table, columns, values));
    },
    writeJsonRows(texts) {
      return addAll(texts, 0);
    },
    async finish() {
      await add(body.end());
      await flush();
      await gzip.end();
      if (failure !== undefined) throw failure;
      const last = Buffer.concat([cipher.final(), cipher.getAuthTag()]);
      bytes += last.length;
      await writeTo(out, last);
      const done = once(out as NodeJS.EventEmitter, 'finish');
      out.end();
      await done;
      return { bytes };
    },
    async abort() {
      aborted = true;
      gzip.close();
    },
  };
}

/**
 * Writes a complete backup file atomically: a temporary file beside `path` (mode 0600), fsync,
 * then rename. On any failure the temporary file is removed and `path` is untouched.
 */
export async function writeBackupFile(
  path: string,
  opts: WriteBackupOptions,
  rows: Iterable<DbRow | RawDbRow | JsonRowsText> | AsyncIterable<DbRow | RawDbRow | JsonRowsText>,
): Promise<{ bytes: number }> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const stream = createWriteStream(temp, { flags: 'wx', mode: 0o600, highWaterMark: 256 * 1024 });
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.on('error', () => {});
  let writer: BackupWriter | undefined;
  try {
    await once(stream, 'open');
    writer = await createBackupWriter(stream, opts);
    const w = writer;
    const put = (row: DbRow | RawDbRow | JsonRowsText): Promise<void> | void =>
      'raw' in row
        ? w.writeRaw(row.table, row.columns, row.raw)
        : 'json' in row
          ? w.writeJsonRows(row.json)
          : w.write(row);
    if (Symbol.iterator in rows) {
      for (const row of rows) {
        const wait = put(row);
        if (wait) await wait;
      }
    } else {
      for await (const row of rows) await put(row);
    }
    const result = await writer.finish();
    await closed;
    await syncFile(temp);
    await rename(temp, path);
    return result;
  } catch (err) {
    await writer?.abort();
    stream.destroy();
    await closed;
    await unlink(temp).catch(() => {});
    throw err;
  }
}
