import { Command, CommanderError } from 'commander';
import { visibleText } from '../format/visible-text.js';
import { describeFailure, EXIT } from './failure.js';
import { registerCommands } from './commands/index.js';
import { addExamples } from './examples.js';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('ferry')
    .description(
      'Move your XMPP chats — accounts, history and OMEMO keys — to a new device.\n' +
        "Reads and writes Conversations' encrypted backups (.ceb).",
    )
    .option(
      '--profile <dir>',
      'the profile (device) folder; default $FERRY_PROFILE or ~/.local/share/ferry',
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerCommands(program);
  addExamples(program);
  program.addHelpText(
    'after',
    `
The three steps of a move:
  old device:  ferry backup create --deactivate --out /media/usb
  new device:  ferry backup import /media/usb/alice@example.org.2026-11-28-10-00.ceb
               ferry account enable alice@example.org && ferry sync`,
  );
  return program;
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // A promise nobody handled is a bug in ferry: say so in one line and fail the command, rather
  // than let Node end the process with a stack trace (tests then see the exit code).
  let internalError = false;
  process.on('unhandledRejection', (reason) => {
    const what = reason instanceof Error ? reason.message : String(reason);
    process.stderr.write(`ferry: internal error (please report it): unhandled ${what}\n`);
    internalError = true;
    process.exitCode = EXIT.failure;
  });
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return internalError ? EXIT.failure : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.exitCode === 0) return EXIT.ok;
      return EXIT.usage;
    }
    const { message, hint, exitCode } = describeFailure(err);
    process.stderr.write(`ferry: ${visibleText(message)}\n  hint: ${hint}\n`);
    if (process.env.FERRY_DEBUG === '1' && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
    return exitCode;
  }
}
