/**
 * Characters that must not reach a terminal or a page raw from an untrusted file: C0 and C1
 * controls (terminal escapes start with ESC or CSI), DEL, the line and paragraph separators, and
 * the bidirectional overrides and isolates that can make a text read differently from what it is.
 */
const INVISIBLE =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\u061c\u200e\u200f]/g;

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x100
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Untrusted text (a header's address or app name, a file name) made safe to print: every control
 * or direction character is shown as an escape (`\x1b`, `\u202e`); everything else is unchanged.
 */
export function visibleText(text: string): string {
  return text.replace(INVISIBLE, escape);
}
