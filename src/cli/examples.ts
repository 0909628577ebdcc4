import type { Command } from 'commander';

/** Examples shown at the end of `ferry <command> --help`, for commands that don't bring their own. */
const EXAMPLES: Record<string, string[]> = {
  'account add': [
    'ferry account add kim@example.org                      (asks for the password)',
    'ferry account add kim@example.org --password-file pw.txt',
  ],
  'account list': ['ferry account list', 'ferry account list --json'],
  'account set': [
    'ferry account set kim@example.org --hostname xmpp.example.org --port 5222',
    'ferry account set kim@example.org --port 5223     (5223 and 443: direct TLS)',
    'ferry account set kim@example.org --clear-server  (find the server through DNS again)',
  ],
  'account trust-cert': [
    'ferry account trust-cert kim@example.org 3A:5F:…:C2   (the fingerprint ferry showed)',
  ],
  'account enable': ['ferry account enable kim@example.org && ferry sync'],
  'account disable': [
    'ferry account disable kim@example.org   (on the old device, before the backup)',
  ],
  'backup create': [
    "ferry backup create --deactivate                       (into the profile's Backup/ folder)",
    'ferry backup create --out /media/usb --format 1 --keep 5',
    'ferry backup create --with-media --out ~/Nextcloud/Backup',
  ],
  'backup list': [
    'ferry backup list',
    'ferry backup list /media/usb --json',
    'ferry backup list --from https://cloud.example.org/remote.php/dav/files/kim/Backup',
  ],
  'backup import': [
    'ferry backup import ~/Download/Conversations/Backup/kim@example.org.2026-11-28-10-00.ceb',
    'FERRY_PASSWORD=… ferry backup import --json kim@example.org.ceb',
    'ferry backup import --from profanity ~      (the account of the profanity in your HOME)',
  ],
  'backup push': [
    'ferry backup push --to https://cloud.example.org/remote.php/dav/files/kim/Backup --keep 3',
  ],
  'backup pull': [
    'ferry backup pull --from https://cloud.example.org/remote.php/dav/files/kim/Backup --out ~/Backup',
  ],
  sync: ['ferry sync', 'ferry sync kim@example.org --json'],
  run: ['ferry run                    (Ctrl-C to stop)'],
  send: ['ferry send bob@example.org "Hello from my new device"'],
  chats: ['ferry chats', 'ferry chats --json'],
  chat: ['ferry chat bob@example.org --last 20'],
  'omemo fingerprints': [
    'ferry omemo fingerprints',
    'ferry omemo fingerprints --contact bob@example.org --json',
  ],
  'omemo trust': ['ferry omemo trust bob@example.org 05d899792f4d…'],
  'omemo distrust': ['ferry omemo distrust bob@example.org 05d899792f4d…'],
  'media check': ['ferry media check', 'ferry media check --account kim@example.org --json'],
  web: ['ferry web', 'ferry --profile ~/old-phone web --port 8500'],
};

/** Adds the examples above to the commands registered on `program`. */
export function addExamples(program: Command): void {
  for (const [path, lines] of Object.entries(EXAMPLES)) {
    let cmd: Command | undefined = program;
    for (const word of path.split(' ')) cmd = cmd?.commands.find((c) => c.name() === word);
    if (cmd) cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  }
}
