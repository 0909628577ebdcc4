import { createReadStream } from 'node:fs';
import {
  authenticatesWith,
  checkFirstBytes,
  decryptChunks,
  TAG_LENGTH,
  type DecryptOutcome,
} from './decrypt.js';
import { CebError, DamagedBackupError, NotABackupError } from './errors.js';
import { gunzipStrict } from './gunzip.js';
import { headerEndsEarly, MAX_HEADER_LENGTH, readHeader, tryParseHeader } from './header.js';
import { deriveKey } from './key.js';
import { READ_CHUNK } from './limits.js';
import { parseBody, readRowsSequentially, type ParseOptions } from './parallel-parse.js';
import type { RowBatch } from './row-batch.js';
import type { BackupHeader, BackupRow } from './types.js';

/** Enough ciphertext to tell a wrong password: 3 bytes of gzip header plus the tag. */
const MIN_CIPHERTEXT = 3 + TAG_LENGTH;

export interface OpenedBackup {
  header: BackupHeader;
  /**
   * The rows in file order. Provisional: the iteration completes normally only after the GCM tag
   * and the gzip trailer verified and nothing follows the body; otherwise it throws a CebError.
   * Commit what you derive from the rows only after the loop ends normally.
   */
  rows: AsyncIterable<BackupRow>;
  /**
   * The same rows in compact batches, parsed on worker threads (see parallel-parse.ts); with
   * `values: false` only their count per table. Provisional in the same way as `rows`; rows,
   * errors and error positions are exactly those of `rows`.
   */
  batches(options: ParseOptions): AsyncIterable<RowBatch>;
}

/**
 * Opens a backup: reads the header, derives the key and checks the password against the first
 * encrypted bytes (a WrongPasswordError comes from here, before any row). `source` is a path or a
 * readable stream positioned at the start of the file.
 */
export async function openBackup(
  source: string | NodeJS.ReadableStream,
  password: string,
): Promise<OpenedBackup> {
  if (typeof source === 'string') return openPath(source, password);
  return openStream(source, password);
}

async function openPath(path: string, password: string): Promise<OpenedBackup> {
  const { header, headerLength, fileSize } = await readHeader(path);
  if (fileSize - headerLength < MIN_CIPHERTEXT) {
    throw new DamagedBackupError('the file is too short: it ends right after its header');
  }
  const key = await deriveKey(password, header.salt);
  const first = await readRange(path, headerLength, 3);
  const ciphertext = (): AsyncIterable<Buffer> =>
    createReadStream(path, { start: headerLength, highWaterMark: READ_CHUNK });
  await checkFirstBytes(key, header.iv, first, () =>
    authenticatesWith(ciphertext(), key, header.iv),
  );
  return opened(header, key, ciphertext);
}

async function readRange(path: string, start: number, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of createReadStream(path, { start, end: start + length - 1 })) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

async function openStream(stream: NodeJS.ReadableStream, password: string): Promise<OpenedBackup> {
  const it = (stream as AsyncIterable<Buffer | string>)[Symbol.asyncIterator]();
  let buf: Buffer = Buffer.alloc(0);
  let parsed: { header: BackupHeader; length: number } | undefined;
  let ended = false;
  const more = async (): Promise<boolean> => {
    const next = await it.next();
    if (next.done) {
      ended = true;
      return false;
    }
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    return true;
  };
  for (;;) {
    const attempt = tryParseHeader(buf);
    if (!('incomplete' in attempt)) {
      parsed = attempt;
      break;
    }
    if (buf.length > MAX_HEADER_LENGTH) throw new NotABackupError('not a backup file');
    if (!(await more())) throw headerEndsEarly(attempt.version);
  }
  const { header, length } = parsed;
  while (!ended && buf.length - length < MIN_CIPHERTEXT) await more();
  if (buf.length - length < MIN_CIPHERTEXT) {
    throw new DamagedBackupError('the file is too short: it ends right after its header');
  }
  const key = await deriveKey(password, header.salt);
  const rest = buf.subarray(length);
  let used = false;
  const ciphertext = (): AsyncIterable<Buffer> => {
    if (used) throw new Error('the rows of a backup opened from a stream can be read only once');
    used = true;
    return (async function* () {
      yield rest;
      if (ended) return;
      for (;;) {
        const next = await it.next();
        if (next.done) return;
        yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      }
    })();
  };
  await checkFirstBytes(key, header.iv, rest, () =>
    authenticatesWith(ciphertext(), key, header.iv),
  );
  return opened(header, key, ciphertext);
}

/** An iterable over an iterator that does not close it when a loop over it stops early. */
function nonClosing<T>(it: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => ({ next: () => it.next() }) };
}

function opened(
  header: BackupHeader,
  key: Buffer,
  ciphertext: () => AsyncIterable<Buffer>,
): OpenedBackup {
  const version = header.version === 1 ? 1 : 2;
  const read = <T>(
    parse: (plain: AsyncIterable<Buffer>) => AsyncIterable<T>,
  ): AsyncIterable<T> => ({
    [Symbol.asyncIterator]: () =>
      readBody(header, key, ciphertext(), parse)[Symbol.asyncIterator](),
  });
  return {
    header,
    rows: read((plain) => readRowsSequentially(version, plain)),
    batches: (options) => read((plain) => parseBody(version, plain, options)),
  };
}

async function* readBody<T>(
  header: BackupHeader,
  key: Buffer,
  ciphertext: AsyncIterable<Buffer>,
  parse: (plain: AsyncIterable<Buffer>) => AsyncIterable<T>,
): AsyncGenerator<T> {
  const outcome: DecryptOutcome = { finished: false };
  const plain = decryptChunks(ciphertext, key, header.iv, outcome);
  const shared = nonClosing(plain);
  let completed = false;
  try {
    yield* parse(gunzipStrict(shared));
    completed = true;
  } catch (err) {
    // The file's own authentication decides: a damaged file is reported as damaged, whatever
    // the damage looked like downstream.
    if (!outcome.finished && outcome.error === undefined) {
      // Read on to the tag; an authentication failure is thrown from here.
      for await (const _ of shared) {
        // discard
      }
    }
    if (outcome.error !== undefined) throw outcome.error;
    if (err instanceof CebError) throw err;
    throw new DamagedBackupError(`the backup could not be read: ${(err as Error).message}`);
  } finally {
    if (!completed) await plain.return(undefined);
  }
}
