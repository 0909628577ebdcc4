import { Command, CommanderError, Help } from 'commander';
import { visibleText } from '@ferry/ceb-format/header';
import { describeFailure, EXIT } from './failure.js';
import { COMMAND_GROUPS, registerCommandGroup, registerCommands } from './commands/index.js';
import { addExamples } from './examples.js';

function baseProgram(): Command {
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

/** The whole command tree, every module loaded (the reference in docs/cli.md, tests). */
export async function buildProgram(): Promise<Command> {
  const program = baseProgram();
  await registerCommands(program);
  addExamples(program);
  return program;
}

/** The command word of ARGV (after the global options), e.g. "backup"; `help X` gives X. */
export function commandWord(argv: string[]): string | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const a = args[i] ?? '';
    if (a === '--profile') {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    return a === 'help' ? args[i + 1] : a;
  }
  return undefined;
}

/**
 * The program for ARGV with only the modules it needs: the command's own group, or (for `--help`
 * and unknown commands) every command's name and description, no module loaded.
 */
export async function programFor(argv: string[]): Promise<Command> {
  const program = baseProgram();
  const word = commandWord(argv);
  if (word !== undefined && (await registerCommandGroup(program, word))) {
    addExamples(program);
    return program;
  }
  const terms = new Map<string, string>();
  for (const group of COMMAND_GROUPS) {
    for (const c of group.commands) {
      program.command(c.name).description(c.description);
      terms.set(c.name, c.term);
    }
  }
  const help = new Help();
  program.configureHelp({
    subcommandTerm: (cmd) => terms.get(cmd.name()) ?? help.subcommandTerm(cmd),
  });
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
  try {
    const program = await programFor(argv);
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
