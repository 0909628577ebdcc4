import type { Command } from 'commander';
import { openProfile, type Profile } from '../../store/profile.js';
import {
  accountJid,
  addAccount,
  hasStoredPassword,
  isAccountEnabled,
  listAccounts,
  parseBareJid,
  setAccountEnabled,
} from '../../store/accounts.js';
import { obtainPassword } from '../password.js';
import { resolveProfileDir } from '../profile-option.js';
import { EXIT, UserFacingError } from '../failure.js';
import { asUserFacing } from './store-failures.js';
import { readAccountState } from '../../xmpp/account-state.js';

/** Opens the profile chosen by `--profile` / `FERRY_PROFILE` / the default. */
export function openCommandProfile(cmd: Command): Profile {
  const opts = cmd.optsWithGlobals<{ profile?: string }>();
  const dir = resolveProfileDir(opts.profile);
  try {
    return openProfile(dir);
  } catch (err) {
    throw asUserFacing(profileProblem(dir, err));
  }
}

/** Why the profile folder DIR could not be opened, in words (or the error as it came). */
function profileProblem(dir: string, err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'EEXIST' || code === 'ENOTDIR') {
    return new UserFacingError(
      `the profile ${dir} is a file, not a folder`,
      'Give --profile a folder (a new one is created if it does not exist).',
      EXIT.usage,
    );
  }
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM') {
    return new UserFacingError(
      `cannot open the profile's database in ${dir}`,
      'Check that you may read and write the folder and its ferry.db (ls -l), or choose another --profile.',
      EXIT.failure,
    );
  }
  return err;
}

/** Runs `fn` with the profile open, closing it afterwards and translating store errors. */
export async function withCommandProfile<T>(
  cmd: Command,
  fn: (profile: Profile) => T | Promise<T>,
): Promise<T> {
  const profile = openCommandProfile(cmd);
  try {
    return await fn(profile);
  } catch (err) {
    throw asUserFacing(err);
  } finally {
    profile.close();
  }
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UserFacingError(
      `"${value}" is not a port number`,
      'Use a number from 1 to 65535.',
      EXIT.usage,
    );
  }
  return port;
}

/** `ferry account add|list|enable|disable`. */
export function registerAccountCommands(program: Command): void {
  const account = program.command('account').description('the accounts of this profile (device)');

  account
    .command('add <jid>')
    .description('add an account (enabled) with its password')
    .option('--password-file <file>', 'read the password from the first line of FILE')
    .option('--hostname <host>', 'connect to this host instead of looking it up (SRV)')
    .option('--port <port>', 'port to connect to (with --hostname)', parsePort)
    .action(
      async (
        jid: string,
        opts: { passwordFile?: string; hostname?: string; port?: number },
        cmd: Command,
      ) => {
        try {
          parseBareJid(jid);
        } catch (err) {
          throw asUserFacing(err);
        }
        await withCommandProfile(cmd, async (profile) => {
          const password = await obtainPassword(opts, `Password for ${jid}: `);
          if (password === '') {
            throw new UserFacingError(
              'the password is empty',
              'Give the account password.',
              EXIT.usage,
            );
          }
          const row = addAccount(profile.db, {
            jid,
            password,
            hostname: opts.hostname,
            port: opts.port,
          });
          process.stdout.write(
            `Added ${accountJid(row)} (enabled). Next: ferry sync ${accountJid(row)}\n`,
          );
        });
      },
    );

  account
    .command('list')
    .description('list the accounts of this profile')
    .option('--json', 'print JSON for scripts')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      await withCommandProfile(cmd, (profile) => {
        const rows = listAccounts(profile.db).map((row) => {
          const counts = profile.db
            .prepare(
              `SELECT (SELECT count(*) FROM conversations WHERE accountUuid = @uuid) AS conversations,
                      (SELECT count(*) FROM messages JOIN conversations c ON c.uuid = messages.conversationUuid
                        WHERE c.accountUuid = @uuid) AS messages`,
            )
            .get({ uuid: row.uuid }) as { conversations: number; messages: number };
          return {
            jid: accountJid(row),
            uuid: row.uuid,
            enabled: isAccountEnabled(row),
            passwordStored: hasStoredPassword(row),
            resource: row.resource,
            conversations: counts.conversations,
            messages: counts.messages,
            connection: readAccountState(profile.db, row.uuid) ?? null,
          };
        });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        if (rows.length === 0) {
          process.stdout.write(
            'No accounts. Add one with `ferry account add JID` or import a backup.\n',
          );
          return;
        }
        const width = Math.max(7, ...rows.map((r) => r.jid.length));
        process.stdout.write(`${'ACCOUNT'.padEnd(width)}  STATE     CONVERSATIONS  MESSAGES\n`);
        for (const r of rows) {
          const state = r.enabled ? 'enabled' : 'disabled';
          process.stdout.write(
            `${r.jid.padEnd(width)}  ${state.padEnd(8)}  ${String(r.conversations).padStart(13)}  ${String(r.messages).padStart(8)}` +
              `${r.passwordStored ? '' : '  (no password stored)'}\n`,
          );
          if (r.connection?.error)
            process.stdout.write(`  last connection: ${r.connection.error}\n`);
        }
      });
    });

  for (const enabled of [true, false]) {
    const verb = enabled ? 'enable' : 'disable';
    account
      .command(`${verb} <jid>`)
      .description(
        enabled
          ? 'let the account connect (after an import, this is the last step)'
          : 'stop the account from connecting (do this on the old device before a backup)',
      )
      .action(async (jid: string, _opts: unknown, cmd: Command) => {
        await withCommandProfile(cmd, (profile) => {
          const row = setAccountEnabled(profile.db, jid, enabled);
          process.stdout.write(`${accountJid(row)} is now ${enabled ? 'enabled' : 'disabled'}.\n`);
        });
      });
  }
}
