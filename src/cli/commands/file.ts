import type { Command } from 'commander';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
// The header up front; decrypting loads the rest when used (`ferry inspect` is in inspect.ts).
import {
  BACKUP_TABLES,
  readHeader,
  visibleText,
  type BackupHeader,
  type BackupTable,
} from '@ferry/ceb-format/header';
import { BackupContentCheck } from '@ferry/ceb-format/content-check';
import type { OpenedBackup } from '@ferry/ceb-format';
import { EXIT, UserFacingError } from '../failure.js';
import { grouped } from '../plural.js';
import { obtainPassword } from '../password.js';
import { terminalProgress, type Progress } from '../progress.js';
import { asUserFacing } from './store-failures.js';
import { fileMissing, headerSummary, inspect } from './inspect.js';

/** A pass-through that reports how many bytes went by. */
function byteCounter(onBytes: (total: number) => void): Transform {
  let total = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      total += chunk.length;
      onBytes(total);
      cb(null, chunk);
    },
  });
}

/** Opens FILE with its password, rows streaming with progress on a terminal. */
async function openWithPassword(
  file: string,
  opts: { passwordFile?: string },
  progress: Progress,
  verb: string,
): Promise<OpenedBackup & { size: number }> {
  let header: BackupHeader;
  let size: number;
  try {
    ({ header, fileSize: size } = await readHeader(file));
  } catch (err) {
    throw fileMissing(file, err) ?? err;
  }
  const password = await obtainPassword(opts, `Password for ${visibleText(header.jid)}: `);
  const source = createReadStream(file, { highWaterMark: 256 * 1024 });
  const counted = source.pipe(
    byteCounter((n) =>
      progress.update(`${verb} ${basename(file)}: ${Math.floor((n / Math.max(size, 1)) * 100)}%`),
    ),
  );
  source.on('error', (err) => counted.destroy(err));
  try {
    const { openBackup } = await import('@ferry/ceb-format');
    const opened = await openBackup(counted, password);
    return { ...opened, size };
  } catch (err) {
    source.destroy();
    counted.destroy();
    throw err;
  }
}

/** `ferry verify FILE`: decrypts and authenticates everything, counts rows per table. */
async function verify(
  file: string,
  opts: { json?: boolean; passwordFile?: string },
): Promise<void> {
  const progress = terminalProgress();
  try {
    const opened = await openWithPassword(file, opts, progress, 'verifying');
    const { header, size } = opened;
    const counts = Object.fromEntries(BACKUP_TABLES.map((t) => [t, 0])) as Record<
      BackupTable,
      number
    >;
    let total = 0;
    // The checks an import makes (minus the profile's database): OK means the file imports.
    const content = new BackupContentCheck(header);
    // Parsed and checked row by row on worker threads; what the checks across rows need comes back.
    try {
      for await (const batch of opened.batches({ values: 'for-check' })) {
        content.checkBatch(batch);
        BACKUP_TABLES.forEach((t, i) => (counts[t] += batch.counts[i] ?? 0));
        total += batch.counts.reduce((a, b) => a + b, 0);
      }
      content.finish();
    } finally {
      content.dispose();
    }
    progress.done();
    if (opts.json) {
      const summary = {
        ...headerSummary(file, header, size),
        authenticated: true,
        rows: counts,
        total,
      };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } else {
      process.stdout.write(
        `${visibleText(file)}: OK — authenticated, ${grouped(total)} rows for ${visibleText(header.jid)} ` +
          `(format ${header.version})\n` +
          BACKUP_TABLES.map((t) => `  ${t.padEnd(15)}${grouped(counts[t]).padStart(12)}\n`).join(
            '',
          ),
      );
    }
  } finally {
    progress.done();
  }
}

/** `ferry decrypt FILE --out OUT.jsonl`: writes OUT only once the whole file authenticated. */
async function decrypt(file: string, opts: { out: string; passwordFile?: string }): Promise<void> {
  const out = resolve(opts.out);
  const folder = await stat(dirname(out)).catch(() => undefined);
  if (!folder?.isDirectory()) {
    throw new UserFacingError(
      `the folder for ${opts.out} does not exist`,
      'Create it first or choose another --out.',
      EXIT.usage,
    );
  }
  const progress = terminalProgress();
  const { rowToJsonLine, syncFile } = await import('@ferry/ceb-format');
  const { randomBytes } = await import('node:crypto'); // not loaded for `inspect`
  const temp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString('hex')}.tmp`);
  let tempCreated = false;
  try {
    const { header, rows } = await openWithPassword(file, opts, progress, 'decrypting');
    const stream = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
    tempCreated = true;
    const closed = new Promise<void>((res) => stream.once('close', () => res()));
    stream.on('error', () => {});
    try {
      await once(stream, 'open');
      let pending = '';
      let count = 0;
      for await (const row of rows) {
        pending += `${rowToJsonLine(row)}\n`;
        count++;
        if (pending.length >= 64 * 1024) {
          if (!stream.write(pending)) await once(stream, 'drain');
          pending = '';
        }
      }
      stream.end(pending);
      await once(stream, 'finish');
      await closed;
      // Only now, with the whole file authenticated, does OUT appear.
      await syncFile(temp);
      await rename(temp, out);
      tempCreated = false;
      progress.done();
      process.stderr.write(
        `Decrypted ${grouped(count)} rows of ${visibleText(header.jid)} to ${opts.out} (authenticated).\n`,
      );
    } catch (err) {
      stream.destroy();
      await closed;
      throw asUserFacing(err, { nothingChanged: `${opts.out} was not written.` });
    }
  } finally {
    progress.done();
    if (tempCreated) await unlink(temp).catch(() => {});
  }
}

/** `ferry inspect`, `ferry verify`, `ferry decrypt`: the backup file on its own. */
export function registerFileCommands(program: Command): void {
  program
    .command('inspect')
    .description(
      'show the header of backup files (account, app, format, creation time, size); no password needed',
    )
    .argument('<file...>', 'backup files (.ceb)')
    .option('--json', 'print JSON for scripts')
    .addHelpText(
      'after',
      `
Examples:
  ferry inspect alice@example.org.2026-11-28-10-00.ceb
  ferry inspect --json Backup/*.ceb`,
    )
    .action(async (files: string[], opts: { json?: boolean }) => inspect(files, opts));

  program
    .command('verify')
    .description('decrypt and authenticate a whole backup file, then count its rows per table')
    .argument('<file>', 'backup file (.ceb)')
    .option('--json', 'print JSON for scripts')
    .option('--password-file <file>', 'read the password from the first line of this file')
    .addHelpText(
      'after',
      `
The password is asked for without echo; for scripts use --password-file or FERRY_PASSWORD.
Examples:
  ferry verify alice@example.org.ceb
  FERRY_PASSWORD=… ferry verify --json alice@example.org.ceb`,
    )
    .action(async (file: string, opts: { json?: boolean; passwordFile?: string }) =>
      verify(file, opts),
    );

  program
    .command('decrypt')
    .description(
      'write every row of a backup as a JSON line {"table":…,"values":{…}}, values as the file holds them',
    )
    .argument('<file>', 'backup file (.ceb)')
    .requiredOption(
      '--out <file>',
      'the JSON lines file to write (written only if the whole backup authenticates)',
    )
    .option('--password-file <file>', 'read the password from the first line of this file')
    .addHelpText(
      'after',
      `
The output holds the account's password and keys: it is written with mode 0600.
Examples:
  ferry decrypt alice@example.org.ceb --out alice.jsonl
  ferry decrypt alice@example.org.ceb --out alice.jsonl --password-file pw.txt`,
    )
    .action(async (file: string, opts: { out: string; passwordFile?: string }) =>
      decrypt(file, opts),
    );
}
