import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { RemoteStorageError, toRemoteError } from './errors.js';
import { remotePath, remoteSize, type RemoteFolder } from './folder.js';

export interface TransferProgress {
  file: string;
  bytesDone: number;
  bytesTotal: number;
}

export interface TransferResult {
  name: string;
  bytes: number;
  sha256: string;
  /** The same file was already there (a restarted transfer): nothing was sent. */
  unchanged: boolean;
}

/**
 * A GET of a remote file as a Node stream whose errors (a dropped connection) reach the reader.
 * (The client's own read stream pipes without passing errors on, so a cut transfer would hang.)
 */
async function openRemoteRead(
  folder: RemoteFolder,
  name: string,
  range?: { start: number; end: number },
): Promise<Readable> {
  const response = await folder.client.customRequest(remotePath(folder, name), {
    method: 'GET',
    headers: range ? { Range: `bytes=${range.start}-${range.end}` } : {},
  });
  const body = (response as unknown as { body: unknown }).body;
  if (body === null || typeof (body as Readable).pipe !== 'function') {
    throw new RemoteStorageError(
      'server',
      `the server sent no content for ${name}`,
      'Try again later.',
    );
  }
  return body as Readable;
}

/** SHA-256 and size of a local file. */
export async function hashLocalFile(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** Reads a remote file back from the server and returns its SHA-256 and size. */
export async function hashRemoteFile(
  folder: RemoteFolder,
  name: string,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    const stream = await openRemoteRead(folder, name);
    for await (const chunk of stream) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    throw toRemoteError(err, `reading back ${name}`, folder.display);
  }
  return { sha256: hash.digest('hex'), size };
}

function counter(onBytes: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
}

/**
 * Removes an upload's temp file after a failure. A server may still be writing what it received when
 * the connection dropped, so the file is deleted until it stays gone (about a second). Best effort:
 * when the server is unreachable, the next push removes stale upload files.
 */
async function removeUploadTemp(folder: RemoteFolder, path: string): Promise<void> {
  let goneInARow = 0;
  for (let attempt = 0; attempt < 20 && goneInARow < 3; attempt++) {
    try {
      if (await folder.client.exists(path)) {
        goneInARow = 0;
        await folder.client.deleteFile(path);
      } else {
        goneInARow += 1;
      }
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

/** Prefix of the temporary names uploads use until they are verified. */
export function uploadTempName(name: string): string {
  return `.${name}.ferry-upload-${randomBytes(6).toString('hex')}`;
}

export function isUploadTempName(name: string): boolean {
  return /^\..+\.ferry-upload-[0-9a-f]{12}$/.test(name);
}

/**
 * Uploads a local file into the folder under its own name: sent to a temporary name, read back and
 * compared (size and SHA-256) — a truncated or altered upload is caught — then moved into place. An
 * identical file already there is left as is (so a restarted push only sends what is missing); a
 * different one is never replaced.
 */
export async function uploadVerified(
  folder: RemoteFolder,
  localPath: string,
  onProgress?: (p: TransferProgress) => void,
): Promise<TransferResult> {
  const name = basename(localPath);
  const local = await hashLocalFile(localPath);
  const existing = await remoteSize(folder, name);
  if (existing !== null) {
    const there = existing === local.size ? await hashRemoteFile(folder, name) : null;
    if (there !== null && there.sha256 === local.sha256 && there.size === local.size) {
      onProgress?.({ file: name, bytesDone: local.size, bytesTotal: local.size });
      return { name, bytes: local.size, sha256: local.sha256, unchanged: true };
    }
    throw new RemoteStorageError(
      'exists',
      `a different ${name} is already in ${folder.display}`,
      'Nothing was replaced; delete or rename the remote file if it should go.',
    );
  }
  const temp = remotePath(folder, uploadTempName(name));
  let done = 0;
  try {
    const body = createReadStream(localPath).pipe(
      counter((n) => {
        done += n;
        onProgress?.({ file: name, bytesDone: done, bytesTotal: local.size });
      }),
    );
    await folder.client.putFileContents(temp, body, {
      overwrite: false,
      contentLength: local.size,
    });
    const back = await hashRemoteFile(folder, temp.slice(folder.path.length));
    if (back.size !== local.size || back.sha256 !== local.sha256) {
      throw new RemoteStorageError(
        'verify',
        `the upload of ${name} arrived damaged (${back.size} of ${local.size} bytes, checksum ${
          back.sha256 === local.sha256 ? 'matches' : 'differs'
        })`,
        'Nothing was kept on the server; run the push again.',
      );
    }
    await folder.client.moveFile(temp, remotePath(folder, name), { overwrite: false });
  } catch (err) {
    await removeUploadTemp(folder, temp);
    throw toRemoteError(err, `uploading ${name}`, folder.display);
  }
  const placed = await remoteSize(folder, name);
  if (placed !== local.size) {
    throw new RemoteStorageError(
      'verify',
      `after the upload ${name} has ${placed ?? 0} bytes on the server instead of ${local.size}`,
      'Run the push again; if it persists the server is losing data.',
    );
  }
  return { name, bytes: local.size, sha256: local.sha256, unchanged: false };
}

/**
 * Downloads a remote file into `outDir`: written to a temp file beside its place, size compared with
 * what the server lists and read back, then renamed — never a partial file under the real name.
 * An identical local file is kept (restartable); a different one is never replaced.
 */
export async function downloadVerified(
  folder: RemoteFolder,
  name: string,
  expectedSize: number,
  outDir: string,
  onProgress?: (p: TransferProgress) => void,
): Promise<TransferResult & { path: string }> {
  const path = join(outDir, name);
  const present = await stat(path).catch(() => null);
  if (present !== null) {
    if (present.size === expectedSize) {
      const local = await hashLocalFile(path);
      const there = await hashRemoteFile(folder, name);
      if (there.sha256 === local.sha256) {
        return { name, path, bytes: local.size, sha256: local.sha256, unchanged: true };
      }
    }
    throw new RemoteStorageError(
      'exists',
      `a different ${name} is already in ${outDir}`,
      'Nothing was replaced; move the local file away or choose another --out folder.',
    );
  }
  const temp = join(outDir, `.${name}.${randomBytes(6).toString('hex')}.download`);
  const hash = createHash('sha256');
  let done = 0;
  try {
    const source = await openRemoteRead(folder, name);
    await pipeline(
      source,
      counter((n) => {
        done += n;
        onProgress?.({ file: name, bytesDone: done, bytesTotal: expectedSize });
      }),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      }),
      createWriteStream(temp, { flags: 'wx', mode: 0o600 }),
    );
    const sha256 = hash.digest('hex');
    if (done !== expectedSize) {
      throw new RemoteStorageError(
        'verify',
        `the download of ${name} was cut short (${done} of ${expectedSize} bytes)`,
        'Nothing was kept; run the pull again.',
      );
    }
    const back = await hashLocalFile(temp);
    if (back.sha256 !== sha256 || back.size !== expectedSize) {
      throw new RemoteStorageError(
        'verify',
        `${name} was not written correctly to ${outDir}`,
        'Check the disk and run the pull again.',
      );
    }
    const handle = await open(temp, 'r');
    await handle.sync();
    await handle.close();
    await rename(temp, path);
    return { name, path, bytes: done, sha256, unchanged: false };
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw toRemoteError(err, `downloading ${name}`, folder.display);
  }
}

/** The first `length` bytes of a remote file with a ranged GET (no full download). */
export async function readRemoteStart(
  folder: RemoteFolder,
  name: string,
  length: number,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const stream = await openRemoteRead(folder, name, { start: 0, end: length - 1 });
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= length) {
        stream.destroy();
        break;
      }
    }
  } catch (err) {
    throw toRemoteError(err, `reading the header of ${name}`, folder.display);
  }
  return Buffer.concat(chunks).subarray(0, length);
}
