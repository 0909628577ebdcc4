import { constants, crc32, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import { collectGarbage, COLLECT_EVERY } from './collect-garbage.js';

/**
 * Plain text per compressed block. Each block starts with an empty history (see below), which
 * costs ~0.5 % of size at 1 MiB (measured on the reference's data: +1 % at 512 KiB).
 */
export const GZIP_BLOCK = 1024 * 1024;
/**
 * Deflate streams compressing at the same time, each on libuv's thread pool (so on every core):
 * block k goes to lane k mod LANES, and at most one block per lane is in flight.
 */
const LANES = 2;
/**
 * zlib level 4, where Conversations (Java's `GZIPOutputStream`) uses 6: about a third less work
 * for files about 5 % larger than Conversations' (measured on the reference's data; the limit
 * is 10 %, and `npm run bench` checks it on every run).
 */
export const GZIP_LEVEL = 4;
/** Output pieces of a lane (zlib's output buffer). */
const OUT_CHUNK = 128 * 1024;
/** A gzip member header: deflate, no flags, no time, OS = Unix (as Node's zlib writes it). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03]);

/** One long-lived deflate stream, and the output of the block it is compressing. */
class Lane {
  readonly stream: DeflateRaw;
  pieces: Buffer[] = [];

  constructor() {
    this.stream = createDeflateRaw({ level: GZIP_LEVEL, chunkSize: OUT_CHUNK });
    this.stream.on('data', (piece: Buffer) => this.pieces.push(piece));
    this.stream.on('error', () => {}); // reported through the flush's callback
  }

  /** Ends the current block with `flush`; resolves with its compressed bytes. */
  finishBlock(flush: number): Promise<Buffer[]> {
    return new Promise((resolve, reject) => {
      this.stream.flush(flush, (err?: Error | null) => {
        const pieces = this.pieces;
        this.pieces = [];
        if (err) reject(err);
        else resolve(pieces);
      });
    });
  }
}

/**
 * One gzip member whose deflate data is made by several streams at once, so that compression runs
 * on every core while the rows are still being turned into text (the idea of pigz): the text is
 * cut into blocks of {@link GZIP_BLOCK}; block k is compressed by lane k mod {@link LANES}, a
 * deflate stream that lives for the whole body (no stream set up per block), and ends with a full
 * flush — byte-aligned and with the history cleared, so the block refers to nothing before it and
 * the lanes' blocks, emitted in order, are one ordinary deflate stream. The last block ends it
 * (Z_FINISH). CRC-32 and size go into the standard trailer. Memory: at most {@link LANES} blocks
 * of text and their output.
 */
export class ParallelGzip {
  private readonly lanes: Lane[] = [];
  private readonly queue: Promise<Buffer[]>[] = [];
  /** The lane taking the current block's text, and how much it has taken. */
  private current: Lane | undefined;
  private currentLength = 0;
  private next = 0;
  private crc = 0;
  private size = 0;
  private started = false;
  private closed = false;
  private collectedAt = 0;

  /** `emit` receives the compressed bytes in order; the next block waits for it (back-pressure). */
  constructor(private readonly emit: (bytes: Buffer) => Promise<void>) {}

  /**
   * Adds text (UTF-8 bytes); resolves when more can be given. The buffer is compressed later:
   * it must not change until then (give a fresh one each time).
   */
  async write(data: Buffer): Promise<void> {
    if (data.length === 0) return;
    const lane = this.current ?? (await this.open());
    this.crc = crc32(data, this.crc);
    this.size += data.length;
    lane.stream.write(data);
    this.currentLength += data.length;
    if (this.currentLength >= GZIP_BLOCK) this.cut(constants.Z_FULL_FLUSH);
    if (this.size - this.collectedAt >= COLLECT_EVERY) {
      this.collectedAt = this.size;
      collectGarbage();
    }
  }

  /** Compresses what is left, the final block and the trailer. */
  async end(): Promise<void> {
    if (this.current === undefined) await this.open();
    this.cut(constants.Z_FINISH);
    while (this.queue.length > 0) await this.emitOldest();
    const trailer = Buffer.allocUnsafe(8);
    trailer.writeUInt32LE(this.crc >>> 0, 0);
    trailer.writeUInt32LE(this.size % 2 ** 32, 4);
    await this.emit(trailer);
    this.close();
  }

  /** Releases the deflate streams (after {@link end}, or to give up). */
  close(): void {
    this.closed = true;
    for (const lane of this.lanes) lane.stream.destroy();
  }

  /** Starts a block on the next lane, once that lane's previous block has been emitted. */
  private async open(): Promise<Lane> {
    if (!this.started) {
      this.started = true;
      await this.emit(GZIP_HEADER);
    }
    while (this.queue.length >= LANES) await this.emitOldest();
    if (this.closed) throw new Error('the compressor was closed');
    const index = this.next++ % LANES;
    const lane = (this.lanes[index] ??= new Lane());
    this.current = lane;
    this.currentLength = 0;
    return lane;
  }

  private cut(flush: number): void {
    const lane = this.current as Lane;
    this.current = undefined;
    const job = lane.finishBlock(flush);
    job.catch(() => {}); // awaited in order by emitOldest; never an unhandled rejection meanwhile
    this.queue.push(job);
  }

  private async emitOldest(): Promise<void> {
    const pieces = await (this.queue.shift() as Promise<Buffer[]>);
    for (const piece of pieces) await this.emit(piece);
  }
}
