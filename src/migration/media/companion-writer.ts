import { createHash, randomBytes } from 'node:crypto';
import { open, readdir, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncFolder } from '@ferry/ceb-format';
import {
  CHUNK_SIZE,
  DEFAULT_ITERATIONS,
  deriveCompanionKey,
  encodeCompanionHeader,
  encodeFooter,
  FrameKind,
  newHeaderFields,
  sealFrame,
  type EntryEndRecord,
  type EntryStartRecord,
  type IndexRecord,
} from './companion-format.js';

/** A file to put into the companion: the message's `relativeFilePath` and where it is on disk. */
export interface CompanionSource {
  relativeFilePath: string;
  sourcePath: string;
}

export interface WriteCompanionOptions {
  password: string;
  jid: string;
  /** File name of the `.ceb` the companion belongs to. */
  backupName: string;
  iterations?: number;
  onProgress?(event: { file: string; bytesDone: number }): void;
}

export interface WriteCompanionResult {
  /** Size of the companion file. */
  bytes: number;
  entries: IndexRecord[];
  /** Files the messages point to that could not be read (e.g. not on this device). */
  missing: { relativeFilePath: string; reason: string }[];
}

/**
 * Writes a media companion: every source file sealed chunk by chunk (1 MiB each) with AES-256-GCM
 * under a key derived from the password, followed by an encrypted index. Memory stays flat (one
 * chunk at a time). Written atomically: temp file in the same folder, fsync, rename, mode 0600.
 */
export async function writeMediaCompanion(
  destination: string,
  opts: WriteCompanionOptions,
  sources: Iterable<CompanionSource> | AsyncIterable<CompanionSource>,
): Promise<WriteCompanionResult> {
  const fields = newHeaderFields(
    { jid: opts.jid, backup: opts.backupName, created: Date.now() },
    opts.iterations ?? DEFAULT_ITERATIONS,
  );
  const key = await deriveCompanionKey(opts.password, fields.salt, fields.iterations);
  await removeStaleTemps(destination);
  const temp = join(
    dirname(destination),
    `.${basename(destination)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const out = await open(temp, 'wx', 0o600);
  let position = 0;
  const put = async (bytes: Buffer): Promise<void> => {
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await out.write(bytes, done, bytes.length - done, position);
      done += bytesWritten;
      position += bytesWritten;
    }
  };
  const entries: IndexRecord[] = [];
  const missing: WriteCompanionResult['missing'] = [];
  const chunk = Buffer.allocUnsafe(CHUNK_SIZE);
  let bytesDone = 0;
  try {
    await put(encodeCompanionHeader(fields, key));
    for await (const source of sources) {
      let input: FileHandle;
      try {
        input = await open(source.sourcePath, 'r');
      } catch (err) {
        missing.push({ relativeFilePath: source.relativeFilePath, reason: describeOpenError(err) });
        continue;
      }
      try {
        const stat = await input.stat();
        if (!stat.isFile()) {
          missing.push({ relativeFilePath: source.relativeFilePath, reason: 'not a regular file' });
          continue;
        }
        const entry = entries.length;
        const offset = position;
        const start: EntryStartRecord = {
          path: source.relativeFilePath,
          size: stat.size,
          mtime: stat.mtimeMs,
        };
        await put(sealFrame(key, fields.marker, FrameKind.entryStart, entry, 0, json(start)));
        const hash = createHash('sha256');
        let size = 0;
        let chunks = 0;
        for (;;) {
          const { bytesRead } = await readFull(input, chunk, size);
          if (bytesRead === 0) break;
          const piece = chunk.subarray(0, bytesRead);
          hash.update(piece);
          await put(sealFrame(key, fields.marker, FrameKind.data, entry, chunks, piece));
          size += bytesRead;
          chunks += 1;
          bytesDone += bytesRead;
          opts.onProgress?.({ file: source.relativeFilePath, bytesDone });
          if (bytesRead < chunk.length) break;
        }
        const sha256 = hash.digest('hex');
        const end: EntryEndRecord = { size, chunks, sha256 };
        await put(sealFrame(key, fields.marker, FrameKind.entryEnd, entry, chunks, json(end)));
        entries.push({ entry, path: source.relativeFilePath, size, sha256, offset });
      } finally {
        await input.close();
      }
    }
    const indexOffset = position;
    await put(sealFrame(key, fields.marker, FrameKind.index, 0xffffffff, 0, json({ entries })));
    await put(encodeFooter(indexOffset, fields.marker));
    await out.sync();
    await out.close();
  } catch (err) {
    await out.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  try {
    await rename(temp, destination);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncFolder(dirname(destination));
  return { bytes: position, entries, missing };
}

/** Temp files an interrupted earlier write of the same companion left (`.NAME.<12 hex>.tmp`). */
async function removeStaleTemps(destination: string): Promise<void> {
  const prefix = `.${basename(destination)}.`;
  const names = await readdir(dirname(destination)).catch(() => [] as string[]);
  for (const name of names) {
    if (name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) {
      await unlink(join(dirname(destination), name)).catch(() => undefined);
    }
  }
}

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Reads until the buffer is full or the file ends. */
async function readFull(
  input: FileHandle,
  buffer: Buffer,
  position: number,
): Promise<{ bytesRead: number }> {
  let total = 0;
  while (total < buffer.length) {
    const { bytesRead } = await input.read(buffer, total, buffer.length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return { bytesRead: total };
}

function describeOpenError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'not on this device';
  if (code === 'EACCES' || code === 'EPERM') return 'not readable';
  if (code === 'EISDIR') return 'a folder, not a file';
  return code ?? 'cannot be read';
}
