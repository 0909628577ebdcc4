import type { OtherClient } from '../client.js';
import { readProfanityHome } from './read-home.js';
import { writeProfanityHome } from './write-home.js';

/** profanity 0.13 (Debian's 0.13.1): a HOME folder with its data under .local/share/profanity. */
export const profanity: OtherClient = {
  name: 'profanity',
  title: 'profanity',
  folder: 'a HOME folder for profanity (HOME=DIR profanity)',
  write: (source, dir, summary) => writeProfanityHome(source, dir, summary),
  read: (folder, opts) => readProfanityHome(folder, opts),
  howToStart: (target, jid) =>
    `Next: HOME=${target} profanity, then /connect ${jid} (stop the account everywhere else first).`,
  howToStop: (jid) =>
    `Before enabling it here, stop it in profanity (/account disable ${jid}, or never start that profanity again): one account, one device.`,
};
