import { Command, CommanderError, Help } from 'commander';
import { EXIT } from './failure.js';
import { runCommand } from './outcome.js';
import { AFTER_HELP, PROFILE_OPTION, PROGRAM_DESCRIPTION } from './program-text.js';
import { COMMAND_GROUPS, registerCommandGroup, registerCommands } from './commands/index.js';
import { addExamples } from './examples.js';
import {
  BACKUP_JOB_YOUNG_MIB,
  youngGenerationGrows,
  youngGenerationUpTo,
} from './young-generation.js';

function baseProgram(): Command {
  const program = new Command();
  program
    .name('ferry')
    .description(PROGRAM_DESCRIPTION)
    .option(PROFILE_OPTION.flags, PROFILE_OPTION.description)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.addHelpText('after', AFTER_HELP);
  program.hook('preAction', (_program, action) => {
    if (isWholeBackupJob(action)) youngGenerationUpTo(BACKUP_JOB_YOUNG_MIB);
    else youngGenerationGrows();
  });
  return program;
}

/** Commands that go through a whole backup in batches: a small young generation is enough. */
function isWholeBackupJob(action: Command): boolean {
  const path = `${action.parent?.name() ?? ''} ${action.name()}`;
  return path === 'ferry verify' || path === 'backup import' || path === 'backup create';
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

/** Runs the command line with commander; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  return runCommand(
    async () => {
      const program = await programFor(argv);
      await program.parseAsync(argv);
    },
    // commander has printed its own message (or the help, exit code 0).
    (err) =>
      err instanceof CommanderError ? (err.exitCode === 0 ? EXIT.ok : EXIT.usage) : undefined,
  );
}
