import type { Command } from 'commander';
import type Database from 'better-sqlite3';
import {
  accountJid,
  findAccountByJid,
  listAccounts,
  type AccountRow,
} from '../../store/accounts.js';
import { listIdentities, setIdentityTrust, type TrustLevel } from '../../store/omemo-keys.js';
import { knownKeys, normaliseFingerprint, ownDevice } from '../../omemo/device-overview.js';
import { displayFingerprint } from '../../omemo/fingerprint.js';
import { EXIT, UserFacingError } from '../failure.js';
import { withCommandProfile } from './account.js';

function chooseAccount(db: Database.Database, jid: string | undefined): AccountRow {
  if (jid) {
    const row = findAccountByJid(db, jid.toLowerCase());
    if (!row) {
      throw new UserFacingError(
        `there is no account ${jid} on this device`,
        'See the accounts with `ferry account list`.',
        EXIT.usage,
      );
    }
    return row;
  }
  const all = listAccounts(db);
  const only = all[0];
  if (all.length === 1 && only) return only;
  throw new UserFacingError(
    all.length === 0 ? 'this device has no account' : 'this device has several accounts',
    all.length === 0
      ? 'Add one with `ferry account add` or import a backup.'
      : 'Name one with --account JID.',
    EXIT.usage,
  );
}

function changeTrust(
  cmd: Command,
  contact: string,
  fingerprintText: string,
  opts: { account?: string; json?: boolean },
  trust: TrustLevel,
): Promise<void> {
  return withCommandProfile(cmd, (profile) => {
    const account = chooseAccount(profile.db, opts.account);
    const fingerprint = normaliseFingerprint(fingerprintText);
    if (!fingerprint) {
      throw new UserFacingError(
        `"${fingerprintText}" is not an OMEMO fingerprint`,
        'Copy it from `ferry omemo fingerprints` (64 hex digits, spaces allowed).',
        EXIT.usage,
      );
    }
    const name = contact.toLowerCase();
    const known = listIdentities(profile.db, account.uuid, name).some(
      (i) => i.fingerprint === fingerprint && !i.ownkey,
    );
    if (!known || setIdentityTrust(profile.db, account.uuid, fingerprint, trust) === 0) {
      throw new UserFacingError(
        `${name} has no device with the fingerprint ${displayFingerprint(fingerprint)}`,
        'See the known devices with `ferry omemo fingerprints --contact JID`.',
        EXIT.usage,
      );
    }
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ jid: name, fingerprint, trust })}\n`);
    } else {
      process.stdout.write(
        `${name} ${displayFingerprint(fingerprint)}: ${trust === 'VERIFIED' ? 'trusted (verified)' : 'distrusted — ferry no longer encrypts for it'}\n`,
      );
    }
  });
}

/** `ferry omemo fingerprints|trust|distrust`. */
export function registerOmemoCommands(program: Command): void {
  const omemo = program
    .command('omemo')
    .description('OMEMO devices and keys: fingerprints, trust, distrust');

  omemo
    .command('fingerprints')
    .description("this device's OMEMO fingerprint and the known devices of contacts")
    .option('--account <jid>', 'the account (when the device has several)')
    .option('--contact <jid>', 'only this contact')
    .option('--json', 'print JSON for scripts')
    .action((opts: { account?: string; contact?: string; json?: boolean }, cmd: Command) =>
      withCommandProfile(cmd, (profile) => {
        const account = chooseAccount(profile.db, opts.account);
        const own = ownDevice(profile.db, account.uuid, accountJid(account));
        const keys = knownKeys(profile.db, account.uuid, opts.contact?.toLowerCase());
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ own, contacts: keys }, null, 2)}\n`);
          return;
        }
        const lines: string[] = [];
        if (own.deviceId === null || own.fingerprint === null) {
          lines.push(
            `${own.jid}: no OMEMO keys yet (they are made when the account first connects)`,
          );
        } else {
          lines.push(`${own.jid} — this device (id ${own.deviceId})`);
          lines.push(`  ${displayFingerprint(own.fingerprint)}`);
        }
        for (const k of keys) {
          const devices = k.devices.length ? ` device ${k.devices.join(', ')}` : '';
          lines.push(
            `${k.jid}${devices} — ${k.trust.toLowerCase()}${k.active ? '' : ', inactive'}`,
          );
          lines.push(`  ${displayFingerprint(k.fingerprint)}`);
        }
        if (keys.length === 0) lines.push('no contact devices known yet');
        process.stdout.write(`${lines.join('\n')}\n`);
      }),
    );

  omemo
    .command('trust <contact> <fingerprint>')
    .description('mark a contact device as verified (you compared the fingerprint)')
    .option('--account <jid>', 'the account (when the device has several)')
    .option('--json', 'print JSON for scripts')
    .action(
      (
        contact: string,
        fingerprint: string,
        opts: { account?: string; json?: boolean },
        cmd: Command,
      ) => changeTrust(cmd, contact, fingerprint, opts, 'VERIFIED'),
    );

  omemo
    .command('distrust <contact> <fingerprint>')
    .description('stop encrypting for a contact device')
    .option('--account <jid>', 'the account (when the device has several)')
    .option('--json', 'print JSON for scripts')
    .action(
      (
        contact: string,
        fingerprint: string,
        opts: { account?: string; json?: boolean },
        cmd: Command,
      ) => changeTrust(cmd, contact, fingerprint, opts, 'UNTRUSTED'),
    );
}
