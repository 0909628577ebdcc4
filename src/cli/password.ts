import { readFile } from 'node:fs/promises';
import { UserFacingError, EXIT } from './failure.js';

export interface PasswordOptions {
  passwordFile?: string;
}

/**
 * Where a password comes from, in this order: `--password-file FILE` (first line, trailing newline
 * removed), the `FERRY_PASSWORD` environment variable, a no-echo prompt when stdin is a terminal.
 * The password is never printed or logged.
 */
export async function obtainPassword(opts: PasswordOptions, prompt: string): Promise<string> {
  if (opts.passwordFile !== undefined) {
    let text: string;
    try {
      text = await readFile(opts.passwordFile, 'utf8');
    } catch {
      throw new UserFacingError(
        `cannot read the password file ${opts.passwordFile}`,
        'Check the path given to --password-file.',
        EXIT.usage,
      );
    }
    return text.replace(/\r?\n$/, '');
  }
  const fromEnv = process.env.FERRY_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (process.stdin.isTTY) return promptHidden(prompt);
  throw new UserFacingError(
    'no password given',
    'Use --password-file FILE or set FERRY_PASSWORD when not running in a terminal.',
    EXIT.usage,
  );
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    let value = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.removeListener('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string): void => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UserFacingError('cancelled', 'Nothing was changed.'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on('data', onData);
  });
}
