/** "1 conversation", "2 conversations", "1,000 messages": a count with its noun, for messages to people. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? singular : plural}`;
}
