import { formatBytes } from '../../export/byte-size.js';
import type { Command } from 'commander';
import { count } from '../plural.js';
import { basename } from 'node:path';
import {
  createBackups,
  DEFAULT_KEEP,
  type CreateBackupEvent,
  type CreateBackupOptions,
} from '../../migration/create-backup.js';
import { visibleText } from '@ferry/ceb-format';
import { scanBackupFolders } from '../../migration/find-backups.js';
import {
  checkImportable,
  importBackup,
  type ImportOptions,
  type ImportResult,
} from '../../migration/import-backup.js';
import { describeFailure, EXIT, UserFacingError, withPath } from '../failure.js';
import { obtainPassword } from '../password.js';
import { parseKeep } from '../options.js';
import { checkInputFile, checkInputFolder, checkOutputFolder } from '../paths.js';
import { terminalProgress } from '../progress.js';
import { withCommandProfile } from './account.js';
import { asUserFacing } from './store-failures.js';
import { OTHER_CLIENT_NAMES, runClientImport } from './other-clients.js';

/**
 * The media steps of `backup create --with-media` and `backup import [--media FILE]` (media.ts):
 * given the command's options, the flow options that write or restore the media companion.
 */
export interface BackupMediaSteps {
  create(opts: { withMedia?: boolean; json?: boolean }): Partial<CreateBackupOptions>;
  import(opts: { media?: string; json?: boolean }): Partial<ImportOptions>;
}

/** What `backup create|list|import` are given by the group that assembles them (backup-group.ts). */
export interface BackupCommandSteps {
  media: BackupMediaSteps;
  /** `backup list --from URL`: the backups in a WebDAV folder (backup-remote.ts). */
  listRemote(opts: { from: string; netrc?: string; json?: boolean }): Promise<void>;
}

function parseFormat(value: string): 1 | 2 {
  if (value === '1' || value === '2') return Number(value) as 1 | 2;
  throw new UserFacingError(
    `unknown backup format "${value}"`,
    'Use --format 2 (Conversations 2.13+) or 1 (older).',
    EXIT.usage,
  );
}

function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso; // a header time no date can hold, shown as written
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

function createProgressText(e: CreateBackupEvent): string | undefined {
  switch (e.kind) {
    case 'account-start':
      return `${e.jid}: backing up ${e.rows} rows (account ${e.index + 1} of ${e.total})`;
    case 'rows':
      return `${e.jid}: ${e.done}/${e.total} rows (${e.table})`;
    default:
      return undefined;
  }
}

/** `backup list` options. */
type ListOptions = { json?: boolean; from?: string; netrc?: string };

/** `ferry backup create|list|import`, added to the `backup` group. */
export function registerBackupCommands(backup: Command, steps: BackupCommandSteps): void {
  backup
    .command('create')
    .description(
      'step 1 on the old device: one encrypted backup per account, as Conversations makes them',
    )
    .option('--out <dir>', "folder to write to (default: the profile's Backup/ folder)")
    .option(
      '--format <n>',
      'file format: 2 (Conversations 2.13+, default) or 1 (older)',
      parseFormat,
    )
    .option(
      '--keep <n>',
      `keep the newest N backups per account in the folder (default ${DEFAULT_KEEP})`,
      parseKeep,
    )
    .option('--deactivate', 'disable the accounts first, as the migration guide asks')
    .option('--account <jid...>', 'only these accounts')
    .option('--json', 'print the result as JSON')
    .option(
      '--with-media',
      "also write <backup>.media beside each backup: the account's files, encrypted",
    )
    .action(async (opts: Record<string, unknown>, cmd: Command) => {
      if (typeof opts.out === 'string') checkOutputFolder(opts.out);
      await withCommandProfile(cmd, async (profile) => {
        const progress = terminalProgress();
        const notes: string[] = [];
        let result;
        try {
          result = await createBackups(profile, {
            outDir: opts.out as string | undefined,
            format: opts.format as 1 | 2 | undefined,
            keep: opts.keep as number | undefined,
            deactivate: opts.deactivate === true,
            accounts: opts.account as string[] | undefined,
            onProgress: (e) => {
              const text = createProgressText(e);
              if (text) progress.update(text);
              if (e.kind === 'skipped') notes.push(`skipped ${e.jid}: ${e.reason}`);
            },
            ...steps.media.create({
              withMedia: opts.withMedia === true,
              json: opts.json === true,
            }),
          });
        } catch (err) {
          throw asUserFacing(err, {
            nothingChanged:
              'No backup file was left half-written; the folder holds what it held before.',
          });
        } finally {
          progress.done();
        }
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        const out = process.stdout;
        for (const jid of result.deactivated) out.write(`Disabled ${jid} before the backup.\n`);
        for (const w of result.written) {
          out.write(
            `Wrote ${w.file} (${formatBytes(w.bytes)}, format ${w.format}: ${count(w.counts.conversations, 'conversation')}, ` +
              `${count(w.counts.messages, 'message')})\n`,
          );
          for (const d of w.deleted) out.write(`  removed older backup ${basename(d)}\n`);
        }
        for (const s of result.skipped)
          process.stderr.write(`ferry: skipped ${s.jid}: ${s.reason}\n`);
        if (result.stillEnabled.length > 0) {
          process.stderr.write(
            `ferry: warning: ${result.stillEnabled.join(', ')} ${result.stillEnabled.length === 1 ? 'is' : 'are'} still enabled. ` +
              'If this device keeps chatting after the backup, the new device cannot decrypt those messages.\n' +
              '  hint: disable the accounts (ferry account disable JID, or backup create --deactivate) before the last backup.\n',
          );
        }
        if (result.written.length === 0) {
          out.write('No backup was written (no account with a stored password).\n');
        } else {
          out.write(
            `\n${result.written.length} backup file${result.written.length === 1 ? '' : 's'} in ${result.outDir}. ` +
              `Next: copy ${result.written.length === 1 ? 'it' : 'them'} to the new device and run \`ferry backup import FILE\` there.\n`,
          );
        }
      });
    });

  backup
    .command('list [dirs...]')
    .description(
      "step 3: find backups (profile's Backup/, ~/Download(s)/Conversations/Backup, … and DIRs)",
    )
    .option('--json', 'print JSON for scripts')
    .option(
      '--from <url>',
      'list the backups in a WebDAV folder instead (headers only, no download)',
    )
    .option('--netrc <file>', 'with --from: read the WebDAV credentials from this netrc file')
    .action(async (dirs: string[], opts: ListOptions, cmd: Command) => {
      // `--from URL`: a WebDAV folder instead of local folders.
      if (opts.from !== undefined) return steps.listRemote({ ...opts, from: opts.from });
      for (const d of dirs) checkInputFolder(d);
      await withCommandProfile(cmd, async (profile) => {
        const scan = await scanBackupFolders(profile, dirs);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(scan, null, 2)}\n`);
          return;
        }
        const out = process.stdout;
        if (scan.backups.length === 0) {
          out.write(
            `No backups found. Looked in:\n${scan.searched.map((d) => `  ${d}\n`).join('')}`,
          );
        } else {
          const width = Math.max(7, ...scan.backups.map((b) => visibleText(b.jid).length));
          out.write(
            `${'ACCOUNT'.padEnd(width)}  APP            DATE              SIZE       FORMAT  FILE\n`,
          );
          for (const b of scan.backups) {
            out.write(
              `${visibleText(b.jid).padEnd(width)}  ${visibleText(b.app).padEnd(13)}  ${localTime(b.createdAt)}  ${formatBytes(b.size).padEnd(9)}  ${String(b.format).padEnd(6)}  ${visibleText(b.path)}` +
                `${b.accountExists ? '  (account already on this device)' : ''}\n`,
            );
          }
          if (scan.backups.some((b) => b.accountExists)) {
            out.write(
              '\nFiles marked "account already on this device" cannot be imported into this profile.\n',
            );
          }
        }
        for (const u of scan.unreadable)
          process.stderr.write(`ferry: ${visibleText(u.path)}: ${visibleText(u.problem)}\n`);
      });
    });

  backup
    .command('import <files...>')
    .description(
      'step 3 on the new device: restore backups (the accounts stay disabled until you enable them)',
    )
    .option('--password-file <file>', 'read the password from the first line of FILE')
    .option(
      '--from <client>',
      `read another client's folder instead of backups (${OTHER_CLIENT_NAMES.join(', ')}): ferry backup import --from profanity HOME`,
    )
    .option('--account <jid>', 'with --from: the account to take when the folder holds several')
    .option('--json', 'print the result as JSON')
    .option(
      '--media <file>',
      'the media companion to restore (default: <backup>.media beside it, if there)',
    )
    .action(async (files: string[], opts: Record<string, unknown>, cmd: Command) => {
      if (typeof opts.media === 'string') checkInputFile(opts.media);
      if (typeof opts.from === 'string') {
        await runClientImport(
          opts.from,
          files,
          { account: opts.account as string | undefined, json: opts.json === true },
          cmd,
        );
        return;
      }
      await withCommandProfile(cmd, async (profile) => {
        const results: ImportResult[] = [];
        const failures: { file: string; message: string; hint: string; exitCode: number }[] = [];
        let onlyError: unknown;
        for (const file of files) {
          const progress = terminalProgress();
          try {
            const header = await checkImportable(profile, file);
            const password = await obtainPassword(
              { passwordFile: opts.passwordFile as string | undefined },
              `Password of ${visibleText(header.jid)} (to decrypt ${visibleText(basename(file))}): `,
            );
            const result = await importBackup(profile, file, password, {
              soleUser: true,
              onProgress: (e) => {
                if (e.kind === 'rows')
                  progress.update(
                    `${visibleText(header.jid)}: ${e.rows} rows restored (${e.table})`,
                  );
              },
              ...steps.media.import({
                ...(typeof opts.media === 'string' ? { media: opts.media } : {}),
                json: opts.json === true,
              }),
            });
            results.push(result);
            if (!opts.json) printImport(result);
          } catch (err) {
            onlyError = asUserFacing(withPath(err, file), {
              nothingChanged: 'Nothing was imported; the profile is as it was.',
            });
            const failure = describeFailure(onlyError);
            failures.push({ file, ...failure });
            if (!opts.json && files.length > 1) {
              process.stderr.write(`ferry: ${file}: ${failure.message}\n  hint: ${failure.hint}\n`);
            }
          } finally {
            progress.done();
          }
        }
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({ imported: results, failed: failures }, null, 2)}\n`,
          );
        }
        const first = failures[0];
        if (!first) return;
        if (files.length === 1 && !opts.json) throw onlyError;
        throw new UserFacingError(
          `${failures.length} of ${files.length} backup${files.length === 1 ? ' was' : 's were'} not imported`,
          results.length > 0
            ? 'See the messages above; the other files were imported.'
            : 'See the messages above; nothing was imported.',
          first.exitCode,
        );
      });
    });
}

function printImport(r: ImportResult): void {
  const out = process.stdout;
  out.write(
    `Imported ${visibleText(r.jid)} from ${visibleText(basename(r.file))} (${visibleText(r.app)}, format ${r.format}, made ${localTime(r.createdAt)}):\n` +
      `  ${count(r.conversations, 'conversation')}, ${count(r.messages, 'message')}, ${count(r.omemoKeys, 'OMEMO key')} restored\n`,
  );
  if (r.addedColumns.length > 0) {
    out.write(`  kept columns from a newer app: ${r.addedColumns.join(', ')}\n`);
  }
  if (r.missingMedia.count > 0) {
    // `media` is set by the media companion step (commands/media.ts): null when there was none.
    const media = r.media;
    const why =
      media === undefined || media === null
        ? 'the backup holds no files, and no media companion (.ceb.media) was found beside it'
        : 'error' in media
          ? 'its media companion could not be restored'
          : 'they are not in its media companion either';
    out.write(
      `  ${r.missingMedia.count} message${r.missingMedia.count === 1 ? ' points' : 's point'} to files that are not on this device ` +
        `(${why}). Copy them from the old device; relative paths go under ${r.missingMedia.folder}, e.g.\n`,
    );
    for (const e of r.missingMedia.examples) out.write(`    ${e.expectedAt}\n`);
  }
  out.write(`  The account is disabled. Next: ferry account enable ${r.jid}\n`);
}
