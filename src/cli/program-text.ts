/**
 * The words of `ferry --help` that are ferry's own (the rest is commander's layout): shared by the
 * commander program (main.ts) and the commander-free top-level help (help-text.ts).
 */
export const PROGRAM_DESCRIPTION =
  'Move your XMPP chats — accounts, history and OMEMO keys — to a new device.\n' +
  "Reads and writes Conversations' encrypted backups (.ceb).";

export const PROFILE_OPTION = {
  flags: '--profile <dir>',
  description: 'the profile (device) folder; default $FERRY_PROFILE or ~/.local/share/ferry',
};

export const AFTER_HELP = `
The three steps of a move:
  old device:  ferry backup create --deactivate --out /media/usb
  new device:  ferry backup import /media/usb/alice@example.org.2026-11-28-10-00.ceb
               ferry account enable alice@example.org && ferry sync`;
