import { join } from 'node:path';

/**
 * Where profanity 0.13 keeps an account's files under its HOME, with the XDG defaults
 * (`~/.local/share`; profanity's src/config/files.c): the folder of an account is its bare JID
 * with `@` written `_at_` (`files_get_account_data_path`).
 */
export function profanityDataDir(home: string): string {
  return join(home, '.local', 'share', 'profanity');
}

export function accountFolderName(jid: string): string {
  return jid.replaceAll('@', '_at_');
}

export const profanityPaths = {
  /** Preferences (`~/.config/profanity/profrc`, src/config/preferences.c). */
  profrc: (home: string) => join(home, '.config', 'profanity', 'profrc'),
  accounts: (home: string) => join(profanityDataDir(home), 'accounts'),
  chatlog: (home: string, jid: string) =>
    join(profanityDataDir(home), 'database', accountFolderName(jid), 'chatlog.db'),
  omemoDir: (home: string, jid: string) =>
    join(profanityDataDir(home), 'omemo', accountFolderName(jid)),
} as const;

/** The OMEMO files of an account (src/omemo/omemo.c, `omemo_on_connect`). */
export const OMEMO_FILES = {
  identity: 'identity.txt',
  trust: 'trust.txt',
  sessions: 'sessions.txt',
  knownDevices: 'known_devices.txt',
} as const;

/** Groups and keys of identity.txt (src/omemo/store.h). */
export const IDENTITY = {
  group: 'identity',
  prekeys: 'prekeys',
  signedPrekeys: 'signed_prekeys',
  deviceId: 'device_id',
  registrationId: 'registration_id',
  publicKey: 'identity_key_public',
  privateKey: 'identity_key_private',
} as const;
