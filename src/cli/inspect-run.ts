import { inspect } from './commands/inspect.js';
import { runCommand } from './outcome.js';

/** `ferry inspect FILES [--json]` as the front runs it (without commander); returns the exit code. */
export function runInspect(files: string[], json: boolean): Promise<number> {
  return runCommand(() => inspect(files, { json }));
}
