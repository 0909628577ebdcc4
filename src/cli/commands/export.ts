import { Option, type Command } from 'commander';
import { count } from '../plural.js';
import { asUserFacing } from './store-failures.js';
import { resolve } from 'node:path';
import { exportBackupFile, exportProfileAccount } from '../../export/export-chats.js';
import {
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportProgress,
  type ExportResult,
} from '../../export/render-account.js';
import { ZonedClock } from '../../export/zoned-time.js';
import { EXIT, UserFacingError } from '../failure.js';
import { checkInputFile, checkInputFolder, checkOutputFolder } from '../paths.js';
import { obtainPassword } from '../password.js';
import { resolveProfileDir } from '../profile-option.js';
import { terminalProgress } from '../progress.js';
import { OTHER_CLIENT_NAMES, isOtherClient, runClientExport } from './other-clients.js';

interface ExportCommandOptions {
  to: ExportFormat | string;
  out: string;
  account?: string;
  tz?: string;
  media?: string[];
  withSecrets?: boolean;
  passwordFile?: string;
  json?: boolean;
  deactivate?: boolean;
  allowClone?: boolean;
}

function progressText(e: ExportProgress): string {
  return e.stage === 'reading'
    ? `reading the backup: ${e.done} rows`
    : `writing: ${e.done}${e.total ? ` of ${e.total}` : ''} messages`;
}

function describe(result: ExportResult): string {
  const what: Record<ExportFormat, string> = {
    txt: 'text files in',
    html: 'a web page: open',
    json: 'JSON:',
    sqlite: 'an SQLite database:',
  };
  const where = result.format === 'html' ? `${result.path}/index.html` : result.path;
  return (
    `Exported ${result.account} (${count(result.conversations, 'conversation')}, ${count(result.messages, 'message')}) ` +
    `as ${what[result.format]} ${where}\n`
  );
}

/** `ferry export SOURCE|--account JID --to txt|html|json|sqlite --out DIR`. */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description(
      'write chats as text, a web page, JSON or an SQLite database, to read anywhere — or hand the account to another client (profanity, Dino)',
    )
    .argument('[backup]', 'a .ceb backup file (or use --account for an account of the profile)')
    .addOption(
      new Option('--to <format>', 'what to write: a format, or another client')
        .choices([...EXPORT_FORMATS, ...OTHER_CLIENT_NAMES])
        .makeOptionMandatory(),
    )
    .requiredOption('--out <dir>', 'folder to write into (created if missing)')
    .option('--account <jid>', 'export this account of the profile instead of a backup file')
    .option(
      '--tz <zone>',
      'time zone for the times shown, e.g. Europe/Berlin (default: this computer’s)',
    )
    .option(
      '--media <dir...>',
      'folders holding the chats’ files, linked from the HTML pages (and copied into a Dino home)',
    )
    .option(
      '--with-secrets',
      'sqlite only: keep the account password and OMEMO keys (left out by default)',
    )
    .option('--password-file <file>', 'read the backup password from this file (first line)')
    .option('--json', 'print the result as JSON')
    .option(
      '--deactivate',
      'to another client: disable the account in this profile once its files are written',
    )
    .option(
      '--allow-clone',
      'to another client: keep the account enabled here too (two devices, one OMEMO identity)',
    )
    .addHelpText(
      'after',
      `
Examples:
  ferry export alice@example.org.ceb --to html --out ~/chats      (then open ~/chats/alice@example.org/index.html)
  ferry export --account alice@example.org --to txt --out ~/chats --tz UTC
  ferry export --account alice@example.org --to profanity --out ~/prof --deactivate
                                                 (then: HOME=~/prof profanity)
  ferry export --account alice@example.org --to dino --out ~/dino --deactivate --media ~/Media
                                                 (then: HOME=~/dino dino-im)
The layouts and the JSON schema are described in docs/export.md and docs/export-json.md;
moving to other clients, what is carried and what is not, in docs/clients.md.`,
    )
    .action(async (backup: string | undefined, opts: ExportCommandOptions, cmd: Command) => {
      if ((backup === undefined) === (opts.account === undefined)) {
        throw new UserFacingError(
          backup === undefined
            ? 'nothing to export'
            : 'give either a backup file or --account, not both',
          'Name a .ceb file, or an account of the profile with --account JID.',
          EXIT.usage,
        );
      }
      if (isOtherClient(opts.to)) {
        if (opts.tz !== undefined || opts.withSecrets) {
          throw new UserFacingError(
            `--tz and --with-secrets do not apply to --to ${opts.to}`,
            'Another client gets the whole account, keys included; drop those options.',
            EXIT.usage,
          );
        }
        await runClientExport(backup, { ...opts, to: opts.to }, cmd);
        return;
      }
      if (opts.deactivate || opts.allowClone) {
        throw new UserFacingError(
          '--deactivate and --allow-clone apply when exporting to another client',
          `Use them with --to ${OTHER_CLIENT_NAMES.join(' or --to ')}.`,
          EXIT.usage,
        );
      }
      if (opts.withSecrets && opts.to !== 'sqlite') {
        throw new UserFacingError(
          '--with-secrets applies to --to sqlite only',
          'The other formats never contain passwords or keys; drop --with-secrets.',
          EXIT.usage,
        );
      }
      if (opts.tz !== undefined) {
        try {
          new ZonedClock(opts.tz);
        } catch {
          throw new UserFacingError(
            `unknown time zone "${opts.tz}"`,
            'Give an IANA zone name such as Europe/Berlin, America/New_York or UTC.',
            EXIT.usage,
          );
        }
      }
      if (backup !== undefined) checkInputFile(backup);
      checkOutputFolder(opts.out);
      for (const d of opts.media ?? []) checkInputFolder(d);
      const progress = terminalProgress();
      const exportOptions: ExportOptions = {
        format: opts.to as ExportFormat,
        outDir: resolve(opts.out),
        timeZone: opts.tz,
        mediaDirs: opts.media?.map((d) => resolve(d)),
        withSecrets: opts.withSecrets === true,
        onProgress: (e) => progress.update(progressText(e)),
      };
      let result: ExportResult;
      try {
        if (backup !== undefined) {
          const password = await obtainPassword(
            { passwordFile: opts.passwordFile },
            `Password of the backup ${backup}: `,
          );
          result = await exportBackupFile(resolve(backup), password, exportOptions);
        } else {
          const profileDir = resolveProfileDir(cmd.optsWithGlobals<{ profile?: string }>().profile);
          result = await exportProfileAccount(profileDir, opts.account ?? '', exportOptions);
        }
      } catch (err) {
        if (
          err instanceof Error &&
          'code' in err &&
          err.code === 'ENOENT' &&
          backup !== undefined
        ) {
          throw new UserFacingError(
            `cannot open ${backup}: no such file`,
            'Check the path of the backup file.',
            EXIT.usage,
          );
        }
        throw asUserFacing(err, { nothingChanged: 'No partial export was kept.' });
      } finally {
        progress.done();
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else process.stdout.write(describe(result));
    });
}
