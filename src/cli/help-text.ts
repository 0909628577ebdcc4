import { COMMAND_SUMMARIES } from './commands/summary.js';
import { AFTER_HELP, PROFILE_OPTION, PROGRAM_DESCRIPTION } from './program-text.js';

// `ferry --help` written without commander (loading it is most of a start's cost, see
// docs/performance.md), in commander's layout: src/cli/help-text.test.ts compares the two at many
// widths, so a change in either shows.

/** Below this many columns for a description, commander leaves it unwrapped; so does this. */
const MIN_WIDTH_TO_WRAP = 40;

/** Greedy word wrap of each line of TEXT to WIDTH columns (words longer than WIDTH stay whole). */
function wrap(text: string, width: number): string {
  if (width < MIN_WIDTH_TO_WRAP) return text;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\n/)) {
    // Each piece is a word with the blanks before it; a piece starting a new line loses its blanks.
    const pieces = line.match(/\s*\S+/g);
    if (pieces === null) {
      out.push('');
      continue;
    }
    let current = pieces[0] ?? '';
    for (const piece of pieces.slice(1)) {
      if (current.length + piece.length <= width) current += piece;
      else {
        out.push(current);
        current = piece.trimStart();
      }
    }
    out.push(current);
  }
  return out.join('\n');
}

/** One row of a list: the term padded to TERM_WIDTH, then its description wrapped beside it. */
function item(term: string, termWidth: number, description: string, helpWidth: number): string {
  const room = helpWidth - termWidth - 4; // two blanks before the term, two after
  // A description with a line break followed by blanks is laid out by hand: left as it is.
  const wrapped =
    room < MIN_WIDTH_TO_WRAP || /\n[^\S\r\n]/.test(description)
      ? description
      : wrap(description, room).replace(/\n/g, `\n${' '.repeat(termWidth + 2)}`);
  return `  ${term.padEnd(termWidth)}  ${wrapped.replace(/\n/g, '\n  ')}`;
}

/** The text of `ferry --help` for a terminal of WIDTH columns (80 when not a terminal). */
export function topLevelHelp(width: number): string {
  const options: [string, string][] = [
    [PROFILE_OPTION.flags, PROFILE_OPTION.description],
    ['-h, --help', 'display help for command'],
  ];
  const commands = Object.values(COMMAND_SUMMARIES)
    .flat()
    .map((c): [string, string] => [c.term, c.description]);
  commands.push(['help [command]', 'display help for command']);
  const termWidth = Math.max(...[...options, ...commands].map(([term]) => term.length));
  const list = (rows: [string, string][]): string[] =>
    rows.map(([term, description]) => item(term, termWidth, description, width));
  return [
    'Usage: ferry [options] [command]',
    '',
    wrap(PROGRAM_DESCRIPTION, width),
    '',
    'Options:',
    ...list(options),
    '',
    'Commands:',
    ...list(commands),
    `${AFTER_HELP}\n`,
  ].join('\n');
}

/** The width commander lays help out for: the terminal's, or 80 when output is not a terminal. */
export function helpWidth(): number {
  return (process.stdout.isTTY ? process.stdout.columns : undefined) ?? 80;
}
