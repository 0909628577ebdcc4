import type { Command } from 'commander';
import { openProfile, type Profile } from '../../store/profile.js';
import {
  accountJid,
  addAccount,
  countAccountContent,
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
import { readAccountState } from '../../store/account-state.js';
import {
  connectionSettings,
  forgetPinnedMechanism,
  normaliseFingerprint,
  pinCertificate,
  setServerSettings,
} from '../../store/account-settings.js';
import { retryWords } from '../../xmpp/login-errors.js';

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
    .option(
      '--allow-plaintext-loopback',
      'testing only: log in without TLS, and only to a server on this computer (127.0.0.1, ::1)',
    )
    .action(
      async (
        jid: string,
        opts: {
          passwordFile?: string;
          hostname?: string;
          port?: number;
          allowPlaintextLoopback?: boolean;
        },
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
            ...(opts.allowPlaintextLoopback ? { allowPlaintextLoopback: true } : {}),
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
          const counts = countAccountContent(profile.db, row.uuid);
          return {
            jid: accountJid(row),
            uuid: row.uuid,
            enabled: isAccountEnabled(row),
            passwordStored: hasStoredPassword(row),
            resource: row.resource,
            hostname: connectionSettings(row).hostname,
            port: connectionSettings(row).hostname ? connectionSettings(row).port : null,
            plaintextLoopback: connectionSettings(row).allowPlaintextLoopback,
            trustedCertificates: connectionSettings(row).pinnedCertificates,
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
          if (r.plaintextLoopback)
            process.stdout.write('  plaintext allowed on loopback (test servers only)\n');
          if (r.connection?.error) {
            const retry =
              r.connection.retryAt && r.connection.retryAt > Date.now()
                ? ` (${retryWords(r.connection.retryAt)})`
                : '';
            process.stdout.write(`  last connection: ${r.connection.error}${retry}\n`);
            if (r.connection.hint) process.stdout.write(`  ${r.connection.hint}\n`);
          }
        }
      });
    });

  account
    .command('set <jid>')
    .description('point an account at its server, or change how it connects')
    .option('--hostname <host>', 'connect to this host instead of looking the domain up (SRV)')
    .option(
      '--port <port>',
      'port to connect to with --hostname (5223 and 443: direct TLS)',
      parsePort,
    )
    .option('--clear-server', 'forget hostname and port: find the server through DNS again')
    .option(
      '--allow-plaintext-loopback',
      'testing only: log in without TLS, and only to a server on this computer (127.0.0.1, ::1)',
    )
    .option('--no-allow-plaintext-loopback', 'require TLS again (the default)')
    .option('--forget-login-method', 'forget the remembered SASL mechanism (pinned_mechanism)')
    .action(
      async (
        jid: string,
        opts: {
          hostname?: string;
          port?: number;
          clearServer?: boolean;
          allowPlaintextLoopback?: boolean;
          forgetLoginMethod?: boolean;
        },
        cmd: Command,
      ) => {
        const plaintextGiven = cmd.getOptionValueSource('allowPlaintextLoopback') === 'cli';
        if (
          opts.hostname === undefined &&
          opts.port === undefined &&
          !opts.clearServer &&
          !plaintextGiven &&
          !opts.forgetLoginMethod
        ) {
          throw new UserFacingError(
            'nothing to change',
            `Give --hostname HOST and/or --port PORT, or --clear-server. Example: ferry account set ${jid} --hostname xmpp.example.org --port 5222`,
            EXIT.usage,
          );
        }
        if (opts.clearServer && (opts.hostname !== undefined || opts.port !== undefined)) {
          throw new UserFacingError(
            '--clear-server goes alone',
            'Either clear the server settings or set them, not both.',
            EXIT.usage,
          );
        }
        await withCommandProfile(cmd, (profile) => {
          const row = setServerSettings(profile.db, jid, {
            ...(opts.clearServer ? { hostname: null, port: null } : {}),
            ...(opts.hostname !== undefined ? { hostname: opts.hostname } : {}),
            ...(opts.port !== undefined ? { port: opts.port } : {}),
            ...(plaintextGiven
              ? { allowPlaintextLoopback: opts.allowPlaintextLoopback === true }
              : {}),
          });
          if (opts.forgetLoginMethod) forgetPinnedMechanism(profile.db, row.uuid);
          const s = connectionSettings(row);
          process.stdout.write(
            `${accountJid(row)} connects to ${s.hostname ? `${s.hostname}:${s.port}` : `its server as found through DNS (${row.server})`}` +
              `${s.allowPlaintextLoopback ? '; plaintext allowed on loopback (test servers only)' : ''}.\n`,
          );
        });
      },
    );

  account
    .command('trust-cert <jid> <fingerprint>')
    .description(
      'trust one server certificate for this account (its SHA-256 fingerprint, as ferry showed it)',
    )
    .action(async (jid: string, fingerprint: string, _opts: unknown, cmd: Command) => {
      const normal = normaliseFingerprint(fingerprint);
      if (!normal) {
        throw new UserFacingError(
          `"${fingerprint}" is not a SHA-256 fingerprint`,
          'Copy the fingerprint ferry showed (64 hexadecimal digits, with or without colons).',
          EXIT.usage,
        );
      }
      await withCommandProfile(cmd, (profile) => {
        pinCertificate(profile.db, jid, normal);
        process.stdout.write(
          `${jid} now trusts the certificate ${normal}.\nNext: ferry sync ${jid}\n`,
        );
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
