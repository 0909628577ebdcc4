import { createInflateRaw, crc32, type InflateRaw, type ZlibOptions } from 'node:zlib';
import { DamagedBackupError } from './errors.js';

const TRAILER_LENGTH = 8;
const MAX_GZIP_HEADER = 64 * 1024;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;

function damaged(what: string): DamagedBackupError {
  return new DamagedBackupError(`the backup's compressed body is damaged: ${what}`);
}

/** Length of the gzip member header at the start of `buf`, or undefined if more bytes are needed. */
function gzipHeaderLength(buf: Buffer): number | undefined {
  if (buf.length < 10) return undefined;
  if (buf[0] !== 0x1f || buf[1] !== 0x8b || buf[2] !== 0x08) throw damaged('no gzip header');
  const flags = buf[3] as number;
  if ((flags & 0xe0) !== 0) throw damaged('reserved gzip flags are set');
  let offset = 10;
  if (flags & FEXTRA) {
    if (buf.length < offset + 2) return undefined;
    offset += 2 + buf.readUInt16LE(offset);
    if (buf.length < offset) return undefined;
  }
  for (const flag of [FNAME, FCOMMENT]) {
    if (flags & flag) {
      const end = buf.indexOf(0, offset);
      if (end < 0) return undefined;
      offset = end + 1;
    }
  }
  if (flags & FHCRC) offset += 2;
  return buf.length >= offset ? offset : undefined;
}

/**
 * Resolves when the inflater can take more input, or when it will never take any (destroyed, failed
 * or closed). A stream destroyed before the wait starts emits nothing more: waiting for an event
 * then would never end, so that case resolves at once.
 */
export function waitForDrain(stream: InflateRaw): Promise<void> {
  if (stream.destroyed || stream.writableEnded || !stream.writableNeedDrain)
    return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}

/**
 * Strict, streaming gunzip of exactly one gzip member: parses the member header, inflates the
 * deflate data with back-pressure, then requires that exactly the 8-byte trailer follows and that
 * its CRC-32 and size match. Anything after the trailer, a second member, or an early end is a
 * DamagedBackupError. Memory stays bounded by zlib's window and the chunk size.
 */
export async function* gunzipStrict(plain: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  // zlib (on the thread pool) runs up to 256 KiB ahead of the parser; the input waiting for it is
  // small, as an input buffer lives until all its output is parsed (see READ_CHUNK).
  const options: ZlibOptions & { readableHighWaterMark: number; writableHighWaterMark: number } = {
    chunkSize: 64 * 1024,
    readableHighWaterMark: 256 * 1024,
    writableHighWaterMark: 32 * 1024,
  };
  const inflater = createInflateRaw(options);
  inflater.on('error', () => {});
  let headerBuf: Buffer | undefined = Buffer.alloc(0) as Buffer;
  let tail: Buffer = Buffer.alloc(0); // the last bytes seen, held back from the inflater
  let fed = 0;
  let stopped = false;
  let feedError: unknown;

  // Once the inflater failed (damaged data) it takes nothing more: the feeder must stop then,
  // never wait for an event a destroyed stream will not emit.
  const refused = (): boolean => stopped || inflater.destroyed;
  const feed = async (chunk: Buffer): Promise<void> => {
    if (chunk.length === 0 || refused()) return;
    fed += chunk.length;
    if (!inflater.write(chunk)) await waitForDrain(inflater);
  };
  const feeder = (async () => {
    try {
      for await (const chunk of plain) {
        if (refused()) break;
        let data = chunk;
        if (headerBuf !== undefined) {
          headerBuf = Buffer.concat([headerBuf, data]);
          const len = gzipHeaderLength(headerBuf);
          if (len === undefined) {
            if (headerBuf.length > MAX_GZIP_HEADER) throw damaged('the gzip header is too long');
            continue;
          }
          data = headerBuf.subarray(len);
          headerBuf = undefined;
        }
        if (tail.length + data.length <= TRAILER_LENGTH) {
          tail = Buffer.concat([tail, data]);
          continue;
        }
        if (data.length < TRAILER_LENGTH) {
          const joined = Buffer.concat([tail, data]);
          tail = joined.subarray(joined.length - TRAILER_LENGTH);
          await feed(joined.subarray(0, joined.length - TRAILER_LENGTH));
          continue;
        }
        // No copy of the chunk: what was held back goes first, the chunk's last bytes are held.
        await feed(tail);
        tail = Buffer.from(data.subarray(data.length - TRAILER_LENGTH));
        await feed(data.subarray(0, data.length - TRAILER_LENGTH));
      }
      if (headerBuf !== undefined) throw damaged('it ends inside the gzip header');
      if (!refused()) inflater.end();
    } catch (err) {
      feedError = err;
      inflater.destroy();
    }
  })();

  let crc = 0;
  let size = 0;
  let completed = false;
  try {
    try {
      for await (const out of inflater as AsyncIterable<Buffer>) {
        crc = crc32(out, crc);
        size += out.length;
        yield out;
      }
    } catch (err) {
      await feeder;
      if (feedError !== undefined) throw feedError;
      throw damaged((err as Error).message);
    }
    await feeder;
    if (feedError !== undefined) throw feedError;
    if (inflater.bytesWritten !== fed)
      throw damaged('there is data after the end of the gzip stream');
    if (tail.length < TRAILER_LENGTH) throw damaged('it ends before the gzip trailer');
    if (tail.readUInt32LE(0) !== crc >>> 0) throw damaged('the gzip checksum does not match');
    if (tail.readUInt32LE(4) !== size % 2 ** 32) throw damaged('the gzip size does not match');
    completed = true;
  } finally {
    if (!completed) {
      stopped = true;
      inflater.destroy();
      await feeder;
    }
  }
}
