import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Worker } from 'node:worker_threads';
import { MalformedContentError } from './errors.js';
import { JsonBodyReader } from './json-body-reader.js';
import type { ParseReply, ParseRequest } from './parse-worker.js';
import { packRows, type RowBatch } from './row-batch.js';
import { SqlBodyReader } from './sql-body-reader.js';
import type { BackupRow, FormatVersion } from './types.js';
import { startWorker } from './worker-thread.js';

/** Body bytes per batch handed to a parser thread. */
export const PARSE_BATCH = 512 * 1024;
/** Where a row (format 2) or a statement (format 1) may start; the batch is cut after its first byte. */
const SEPARATORS: Record<FormatVersion, Buffer> = {
  1: Buffer.from('\nINSERT INTO '),
  2: Buffer.from(',{"table":"'),
};
/**
 * Beyond this much text without a place to cut (a row of several MiB, or no rows at all), the rest
 * of the body is read sequentially, streaming, so memory stays bounded whatever the row holds.
 */
const MAX_UNCUT = 16 * PARSE_BATCH;

/**
 * A parser thread holds a batch and its rows at a time; small heaps keep the process's memory
 * flat (V8 would otherwise let each thread's garbage grow to tens of MiB before collecting).
 */
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };

/** Size of the shared slots batches are copied into (a batch is PARSE_BATCH and a chunk at most). */
const SLOT = 2 * PARSE_BATCH;

/**
 * The body's chunks (decrypted, decompressed) are garbage as soon as they are copied into a
 * batch, but V8 frees such buffers only at a collection, and the coordinator allocates so few
 * objects that its young generation rarely fills: left alone, ~64 MiB of dead chunks pile up
 * before V8 acts on their external size. A young-generation collection every COLLECT_EVERY
 * bytes (well under a millisecond on this thread's small heap) keeps them to a few MiB.
 */
const COLLECT_EVERY = 8 * 1024 * 1024;
let minorGc: (() => void) | undefined;

function collectYoung(): void {
  if (minorGc === undefined) {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as (options: { type: 'minor' }) => void;
    minorGc = () => gc({ type: 'minor' });
  }
  minorGc();
}

let liveWorkers = 0;

/** How many parser threads are running now (for tests: they all end with the read). */
export function liveParseWorkers(): number {
  return liveWorkers;
}

/** The sequential reader: the whole body, or the rest of it from a row boundary. */
class SequentialReader {
  private readonly reader: JsonBodyReader | SqlBodyReader;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(
    version: FormatVersion,
    private bytes = 0,
    line = 1,
  ) {
    this.reader = version === 1 ? new SqlBodyReader() : new JsonBodyReader();
    if (bytes > 0) this.reader.resume(bytes, line);
  }

  push(chunk: Buffer, out: BackupRow[]): void {
    this.reader.push(this.decode(chunk), out);
    this.bytes += chunk.length;
  }

  end(out: BackupRow[]): void {
    this.reader.push(this.decode(undefined), out);
    this.reader.end(out);
  }

  private decode(chunk: Buffer | undefined): string {
    try {
      return chunk === undefined
        ? this.decoder.decode()
        : this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new MalformedContentError(
        `byte ${this.bytes} of the body`,
        'the text is not valid UTF-8',
      );
    }
  }
}

/** The rows of a body, read on this thread (streaming, one chunk at a time). */
export async function* readRowsSequentially(
  version: FormatVersion,
  plain: AsyncIterable<Buffer>,
): AsyncGenerator<BackupRow> {
  const reader = new SequentialReader(version);
  const out: BackupRow[] = [];
  for await (const chunk of plain) {
    reader.push(chunk, out);
    if (out.length > 0) {
      yield* out;
      out.length = 0;
    }
  }
  reader.end(out);
  yield* out;
}

/**
 * Parser threads; requests are answered in any order, matched by id. A thread that fails (e.g. it
 * runs out of its bounded heap on a huge batch) answers all waiting requests with `ok: false`, so
 * the body is read on sequentially, as if no thread had been there.
 */
class ParsePool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, (reply: ParseReply) => void>();
  private turn = 0;
  private closed = false;
  private broken = false;
  private readonly free: SharedArrayBuffer[] = [];

  constructor(count: number) {
    for (let i = 0; i < count; i++) {
      const worker = startWorker(import.meta.url, 'parse-worker', {
        resourceLimits: WORKER_LIMITS,
      });
      liveWorkers++;
      worker.once('exit', () => {
        liveWorkers--;
        if (!this.closed) this.failAll();
      });
      worker.on('message', (reply: ParseReply) => {
        const done = this.waiting.get(reply.id);
        this.waiting.delete(reply.id);
        done?.(reply);
      });
      worker.on('error', () => this.failAll());
      this.workers.push(worker);
    }
  }

  parse(request: ParseRequest): Promise<ParseReply> {
    const worker = this.workers[this.turn++ % this.workers.length] as Worker;
    const reply = new Promise<ParseReply>((resolve) => this.waiting.set(request.id, resolve));
    if (this.broken) this.failAll();
    // The batch is in shared memory (see take): the thread reads it where it is, and the
    // coordinator keeps it for a sequential re-read.
    else worker.postMessage(request);
    return reply;
  }

  /**
   * Memory shared with the threads for a batch of `size` bytes: one of a few reused slots
   * (allocating shared memory per batch costs more than parsing it), larger batches their own.
   */
  take(size: number): Buffer {
    const slot = size <= SLOT ? this.free.pop() : undefined;
    return Buffer.from(slot ?? new SharedArrayBuffer(Math.max(size, SLOT)), 0, size);
  }

  /** A batch's memory is no longer read by anyone. */
  release(bytes: Buffer): void {
    const slot = bytes.buffer;
    if (slot.byteLength === SLOT && this.free.length < 16)
      this.free.push(slot as SharedArrayBuffer);
  }

  private failAll(): void {
    this.broken = true;
    for (const [id, done] of this.waiting) done({ id, ok: false });
    this.waiting.clear();
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

interface Batch {
  bytes: Buffer;
  /** Body bytes and (format 1) newlines before it. */
  offset: number;
  line: number;
  reply: Promise<ParseReply>;
}

function countNewlines(buf: Buffer): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

export interface ParseOptions {
  /**
   * Whether the rows' values are wanted, or only their count per table. `'for-check'`: only what
   * `BackupContentCheck` needs — each row's own checks (column names, NUL characters, lone
   * surrogates) run on the parser thread, and of its values only the `CROSS_ROW_COLUMNS` (content-check.ts)
   * come back (a row that fails, and all after it, come with all values, read sequentially, so
   * that the check reports it exactly).
   */
  values: boolean | 'for-check';
  /** Parser threads; default the number of cores (at most 4). */
  threads?: number;
}

/**
 * Parses a decompressed body into batches of rows, in order, on parser threads: the bytes are cut into
 * batches of about {@link PARSE_BATCH} at places where a row may start (a cheap byte search), and
 * each batch is parsed by the same strict reader as a sequential read, on a worker thread. A batch
 * that does not parse cleanly on its own (a cut in the wrong place, or bad content) is read again
 * sequentially from its start, with everything after it: the rows and errors are exactly those of
 * a sequential read. A body smaller than one batch is read sequentially here.
 */
export async function* parseBody(
  version: FormatVersion,
  plain: AsyncIterable<Buffer>,
  options: ParseOptions,
): AsyncGenerator<RowBatch> {
  const threads = options.threads ?? Math.min(4, Math.max(1, availableParallelism()));
  const values = options.values;
  const ready: RowBatch[] = [];
  /** Batches handed out with spans, and the shared bytes they read from. */
  const inUse = new Map<RowBatch, Buffer>();
  const separator = SEPARATORS[version];
  const out: BackupRow[] = [];
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let tail = Buffer.alloc(0);
  let cut = -1;
  let offset = 0;
  let line = 1;
  let nextId = 0;
  let collectedAt = 0;
  let pool: ParsePool | undefined;
  const inFlight: Batch[] = [];
  let sequential: SequentialReader | undefined;

  /** The first `upTo` pending bytes, in one buffer (`into`, when given, of that size). */
  const takePending = (upTo: number, into?: Buffer): Buffer => {
    if (into === undefined && pending.length === 1) {
      const all = pending[0] as Buffer;
      pending = upTo < all.length ? [all.subarray(upTo)] : [];
      pendingLength -= upTo;
      return all.subarray(0, upTo);
    }
    const out = into ?? Buffer.allocUnsafe(upTo);
    let filled = 0;
    const rest: Buffer[] = [];
    for (const chunk of pending) {
      if (filled >= upTo) {
        rest.push(chunk);
        continue;
      }
      const n = Math.min(chunk.length, upTo - filled);
      chunk.copy(out, filled, 0, n);
      filled += n;
      if (n < chunk.length) rest.push(chunk.subarray(n));
    }
    pending = rest;
    pendingLength -= upTo;
    return out;
  };
  /** Sends the first `size` pending bytes to a thread. */
  const dispatch = (size: number, last: boolean): void => {
    pool ??= new ParsePool(threads);
    const bytes = takePending(size, pool.take(size));
    const batch: Batch = {
      bytes,
      offset,
      line,
      reply: pool.parse({ id: nextId++, version, bytes, first: offset === 0, last, values }),
    };
    inFlight.push(batch);
    offset += bytes.length;
    if (version === 1) line += countNewlines(bytes);
    if (offset - collectedAt >= COLLECT_EVERY) {
      collectedAt = offset;
      collectYoung();
    }
  };
  /** Rows of the oldest batch; on a batch that needs it, switches to sequential reading. */
  const settle = async (): Promise<void> => {
    const batch = inFlight.shift() as Batch;
    const reply = await batch.reply;
    if (reply.ok) {
      const { spans } = reply.batch;
      if (spans === undefined) pool?.release(batch.bytes);
      else {
        // Its values are still in the bytes: they are reused once the consumer is done with it.
        spans.bytes = batch.bytes;
        inUse.set(reply.batch, batch.bytes);
      }
      ready.push(reply.batch);
      return;
    }
    sequential = new SequentialReader(version, batch.offset, batch.line);
    sequential.push(batch.bytes, out);
    for (const later of inFlight.splice(0)) sequential.push(later.bytes, out);
    if (pendingLength > 0) sequential.push(takePending(pendingLength), out);
  };

  /** Batches done, in order: those of the threads, then rows read sequentially. */
  const drain = (): RowBatch[] => {
    if (out.length > 0) {
      ready.push(packRows(out, values !== false));
      out.length = 0;
    }
    return ready.splice(0);
  };
  /** Hands out the batches done; a batch's shared bytes are reused once the consumer asks for more. */
  async function* handOut(): AsyncGenerator<RowBatch> {
    for (const batch of drain()) {
      yield batch;
      const bytes = inUse.get(batch);
      if (bytes !== undefined) {
        inUse.delete(batch);
        pool?.release(bytes);
      }
    }
  }

  try {
    for await (const chunk of plain) {
      if (sequential !== undefined) {
        sequential.push(chunk, out);
      } else {
        const at = chunk.lastIndexOf(separator);
        if (at >= 0) {
          cut = pendingLength + at + 1;
        } else if (tail.length > 0) {
          const seam = Buffer.concat([tail, chunk.subarray(0, separator.length - 1)]);
          const across = seam.lastIndexOf(separator);
          if (across >= 0) cut = pendingLength - tail.length + across + 1;
        }
        const joined = chunk.length >= separator.length ? chunk : Buffer.concat([tail, chunk]);
        tail = Buffer.from(joined.subarray(Math.max(0, joined.length - separator.length + 1)));
        pending.push(chunk);
        pendingLength += chunk.length;
        if (pendingLength >= PARSE_BATCH && cut > 0) {
          dispatch(cut, false);
          cut = -1;
          while (sequential === undefined && inFlight.length > 2 * threads) await settle();
        } else if (pendingLength > MAX_UNCUT) {
          while (sequential === undefined && inFlight.length > 0) await settle();
          sequential ??= new SequentialReader(version, offset, line);
          sequential.push(takePending(pendingLength), out);
        }
      }
      yield* handOut();
    }
    if (sequential === undefined && pool !== undefined) {
      dispatch(pendingLength, true);
      while (sequential === undefined && inFlight.length > 0) {
        await settle();
        yield* handOut();
      }
      if (sequential === undefined) return;
    }
    sequential ??= new SequentialReader(version);
    if (pendingLength > 0) sequential.push(takePending(pendingLength), out);
    sequential.end(out);
    yield* handOut();
  } finally {
    await pool?.close();
  }
}
