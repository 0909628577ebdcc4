import { visibleText } from '@ferry/ceb-format/header';
import { describeFailure, EXIT } from './failure.js';

/**
 * Runs a command and turns how it ended into the exit code: a failure is printed as one line and
 * a hint (describeFailure), the stack only with FERRY_DEBUG=1. EXIT_CODE_OF may claim an error first
 * (commander's own, in main.ts). Shared by the commander program and the commander-free front.
 */
export async function runCommand(
  run: () => Promise<void>,
  exitCodeOf: (err: unknown) => number | undefined = () => undefined,
): Promise<number> {
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
    await run();
    return internalError ? EXIT.failure : EXIT.ok;
  } catch (err) {
    const claimed = exitCodeOf(err);
    if (claimed !== undefined) return claimed;
    const { message, hint, exitCode } = describeFailure(err);
    process.stderr.write(`ferry: ${visibleText(message)}\n  hint: ${hint}\n`);
    if (process.env.FERRY_DEBUG === '1' && err instanceof Error && err.stack) {
      process.stderr.write(`${err.stack}\n`);
    }
    return exitCode;
  }
}
