import type { OtherClient } from '../client.js';
import { readDinoHome } from './read-home.js';
import { writeDinoHome } from './write-home.js';

/** Dino 0.4 (Debian's dino-im 0.4.2): a HOME folder with its data under .local/share/dino. */
export const dino: OtherClient = {
  name: 'dino',
  title: 'Dino',
  folder: 'a HOME folder for Dino (HOME=DIR dino)',
  keepsFiles: true,
  write: (source, dir, summary, opts) => writeDinoHome(source, dir, summary, opts),
  read: (folder, opts) => readDinoHome(folder, opts),
  howToStart: (target) =>
    `Next: HOME=${target} dino (Debian: dino-im), with XDG_DATA_HOME unset (stop the account everywhere else first).`,
  howToStop: () =>
    'Before enabling it here, stop it in Dino (Accounts: switch the account off, or never start that Dino home again): one account, one device.',
};
