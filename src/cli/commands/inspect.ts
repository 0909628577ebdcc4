import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  CebError,
  MAX_HEADER_LENGTH,
  parseHeader,
  visibleText,
  type BackupHeader,
} from '@ferry/ceb-format/header';
import { describeFailure, EXIT, UserFacingError } from '../failure.js';
import { grouped } from '../plural.js';

// `ferry inspect` on its own: what it loads is all a start of `ferry inspect FILE` reads besides the
// command line (src/cli/front.ts runs it without commander); src/cli/start-up.test.ts keeps it so.

const FORMAT_NAMES: Record<number, string> = {
  1: 'SQL, Conversations up to 2.12',
  2: 'JSON, Conversations 2.13 and later',
};

function createdIso(timestamp: bigint): string | null {
  const ms = Number(timestamp);
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function timestampJson(timestamp: bigint): number | string {
  const ms = Number(timestamp);
  return Number.isSafeInteger(ms) ? ms : timestamp.toString();
}

/**
 * The header of FILE and the file's size, as readHeader gives them, read with blocking calls: four
 * round trips to libuv's thread pool (and starting its threads) cost `inspect` more than all the
 * rest of its work; a header is a few hundred bytes.
 */
function readHeaderNow(file: string): { header: BackupHeader; fileSize: number } {
  const fd = openSync(file, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const buf = Buffer.alloc(Math.min(fileSize, MAX_HEADER_LENGTH));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return { header: parseHeader(buf.subarray(0, got)).header, fileSize };
  } finally {
    closeSync(fd);
  }
}

export function headerSummary(
  file: string,
  header: BackupHeader,
  size: number,
): Record<string, unknown> {
  return {
    file,
    account: header.jid,
    app: header.app,
    version: header.version,
    created: createdIso(header.timestamp),
    timestamp: timestampJson(header.timestamp),
    size,
  };
}

function printHeader(file: string, header: BackupHeader, size: number): void {
  const format = FORMAT_NAMES[header.version] ?? 'unknown';
  process.stdout.write(
    `${visibleText(file)}\n` +
      `  account:  ${visibleText(header.jid)}\n` +
      `  app:      ${visibleText(header.app)}\n` +
      `  format:   ${header.version} (${format})\n` +
      `  created:  ${createdIso(header.timestamp) ?? header.timestamp.toString()}\n` +
      `  size:     ${grouped(size)} bytes\n`,
  );
}

export function fileMissing(file: string, err: unknown): UserFacingError | undefined {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT')
    return new UserFacingError(`no such file: ${file}`, 'Check the path.', EXIT.usage);
  if (code === 'EISDIR')
    return new UserFacingError(
      `${file} is a folder, not a backup file`,
      'Name a .ceb file.',
      EXIT.usage,
    );
  if (code === 'EACCES')
    return new UserFacingError(
      `cannot read ${file}: permission denied`,
      'Check the file permissions.',
    );
  return undefined;
}

/** `ferry inspect FILE…`: the headers, no password. Keeps going past unreadable files. */
export async function inspect(files: string[], opts: { json?: boolean }): Promise<void> {
  const results: Record<string, unknown>[] = [];
  const failures: { error: unknown; exitCode: number }[] = [];
  for (const file of files) {
    try {
      const { header, fileSize } = readHeaderNow(file);
      if (opts.json) results.push(headerSummary(file, header, fileSize));
      else printHeader(file, header, fileSize);
    } catch (err) {
      const error = fileMissing(file, err) ?? err;
      const { message, hint, exitCode } = describeFailure(error);
      failures.push({ error, exitCode });
      if (opts.json) {
        const code = error instanceof CebError ? error.code : 'unreadable';
        results.push({ file, error: { code, message } });
      } else if (files.length > 1) {
        process.stderr.write(
          `ferry: ${visibleText(file)}: ${visibleText(message)}\n  hint: ${hint}\n`,
        );
      }
    }
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(files.length === 1 ? results[0] : results, null, 2)}\n`);
  }
  const first = failures[0];
  if (first === undefined) return;
  if (files.length === 1 && !opts.json) throw first.error;
  throw new UserFacingError(
    `${failures.length} of ${files.length} files could not be read as backups`,
    opts.json ? 'See the "error" of each file in the JSON output.' : 'See the messages above.',
    first.exitCode,
  );
}
