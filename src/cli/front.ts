// The entry of the `ferry` command (bin/ferry.js). The two commands people start most often
// without thinking, `ferry --help` and `ferry inspect FILE…`, run here without commander, whose
// loading costs about half a bare Node start (docs/performance.md, "Start-up of the command"); every
// other command line, and any of these two with something unusual in it, goes to commander (main.ts)
// and reads exactly as before. src/cli/front.test.ts runs both ways and compares.
import { helpWidth, topLevelHelp } from './help-text.js';

/** What the front runs itself for ARGV, or undefined to leave it to commander. */
export function frontCommand(
  argv: string[],
): { help: true } | { inspect: string[]; json: boolean } | undefined {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h' || args[0] === 'help')) {
    return { help: true };
  }
  if (args[0] !== 'inspect') return undefined;
  const rest = args.slice(1);
  const files = rest.filter((a) => a !== '--json');
  // Any other option (--help, --, a typo) or no file at all: commander says what it says.
  if (files.length === 0 || files.some((a) => a.startsWith('-'))) return undefined;
  return { inspect: files, json: files.length < rest.length };
}

/** Runs the command line; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const command = frontCommand(argv);
  if (command && 'help' in command) {
    process.stdout.write(topLevelHelp(helpWidth()));
    return 0;
  }
  if (command) {
    return (await import('./inspect-run.js')).runInspect(command.inspect, command.json);
  }
  return (await import('./main.js')).main(argv);
}
