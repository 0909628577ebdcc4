import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { collectGarbage, COLLECT_EVERY } from './collect-garbage.js';
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
    // The batch is in shared memory (see SharedSlots): the thread reads it where it is, and the
    // coordinator keeps it for a sequential re-read.
    else worker.postMessage(request);
    return reply;
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

/**
 * Memory shared with the parser threads, where the body's bytes are gathered as they come: a few
 * reused slots of {@link SLOT} bytes (allocating shared memory per batch costs more than parsing
 * it), larger ones for a batch that needs them.
 */
class SharedSlots {
  private readonly free: SharedArrayBuffer[] = [];

  /** At least `size` bytes (a whole slot when that is enough). */
  take(size: number): Buffer {
    const slot = size <= SLOT ? this.free.pop() : undefined;
    const memory = slot ?? new SharedArrayBuffer(Math.max(size, SLOT));
    return Buffer.from(memory, 0, memory.byteLength);
  }

  /** A batch's memory is no longer read by anyone. */
  release(bytes: Buffer): void {
    const slot = bytes.buffer;
    if (slot.byteLength === SLOT && this.free.length < 16)
      this.free.push(slot as SharedArrayBuffer);
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
  const slots = new SharedSlots();
  // The body's bytes are copied into shared memory as they come (a chunk is garbage at once,
  // young, instead of waiting in a list until its batch is complete).
  let gathered = slots.take(SLOT);
  let filled = 0;
  let cut = -1;
  let offset = 0;
  let line = 1;
  let nextId = 0;
  let collectedAt = 0;
  let pool: ParsePool | undefined;
  const inFlight: Batch[] = [];
  let sequential: SequentialReader | undefined;

  const gather = (chunk: Buffer): void => {
    if (filled + chunk.length > gathered.length) {
      const larger = slots.take(Math.max(2 * gathered.length, filled + chunk.length));
      gathered.copy(larger, 0, 0, filled);
      slots.release(gathered);
      gathered = larger;
    }
    const seam = Math.max(0, filled - separator.length + 1);
    chunk.copy(gathered, filled);
    filled += chunk.length;
    const at = gathered.subarray(seam, filled).lastIndexOf(separator);
    if (at >= 0) cut = seam + at + 1;
  };
  /** The bytes gathered so far, for the sequential reader (which is done with them at once). */
  const takeGathered = (): Buffer => {
    const all = gathered.subarray(0, filled);
    filled = 0;
    cut = -1;
    return all;
  };
  /** Sends the first `size` gathered bytes to a thread; the rest move to a new slot. */
  const dispatch = (size: number, last: boolean): void => {
    pool ??= new ParsePool(threads);
    const bytes = gathered.subarray(0, size);
    const next = slots.take(SLOT);
    const rest = filled - size;
    gathered.copy(next, 0, size, filled);
    gathered = next;
    filled = rest;
    cut = -1;
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
      collectGarbage();
    }
  };
  /** Rows of the oldest batch; on a batch that needs it, switches to sequential reading. */
  const settle = async (): Promise<void> => {
    const batch = inFlight.shift() as Batch;
    const reply = await batch.reply;
    if (reply.ok) {
      const { spans } = reply.batch;
      if (spans === undefined) slots.release(batch.bytes);
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
    if (filled > 0) sequential.push(takeGathered(), out);
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
        slots.release(bytes);
      }
    }
  }

  try {
    for await (const chunk of plain) {
      if (sequential !== undefined) {
        sequential.push(chunk, out);
      } else {
        gather(chunk);
        if (filled >= PARSE_BATCH && cut > 0) {
          dispatch(cut, false);
          while (sequential === undefined && inFlight.length > 2 * threads) await settle();
        } else if (filled > MAX_UNCUT) {
          while (sequential === undefined && inFlight.length > 0) await settle();
          sequential ??= new SequentialReader(version, offset, line);
          if (filled > 0) sequential.push(takeGathered(), out);
        }
      }
      yield* handOut();
    }
    if (sequential === undefined && pool !== undefined) {
      dispatch(filled, true);
      while (sequential === undefined && inFlight.length > 0) {
        await settle();
        yield* handOut();
      }
      if (sequential === undefined) return;
    }
    sequential ??= new SequentialReader(version);
    if (filled > 0) sequential.push(takeGathered(), out);
    sequential.end(out);
    yield* handOut();
  } finally {
    await pool?.close();
  }
}
