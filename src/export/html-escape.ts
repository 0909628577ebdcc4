/** Text for HTML element content or a quoted attribute value: markup characters escaped, NUL removed. */
export function escapeHtml(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\u0000/g, '')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&#39;')
  );
}

/** JSON that is safe inside a `<script>` element or a `.js` file (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A relative URL from path segments, each percent-encoded (spaces, `#`, `?`, non-ASCII…). */
export function relativeHref(segments: string[]): string {
  return segments.map((s) => encodeURIComponent(s)).join('/');
}
