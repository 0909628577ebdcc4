/**
 * "1,000,000": digits grouped by three with commas, as `toLocaleString('en-US')` writes them, without
 * loading the ICU locale data (that alone costs `ferry inspect` a third of its start-up).
 */
export function grouped(n: number | bigint): string {
  const text = n.toString();
  const sign = text.startsWith('-') ? '-' : '';
  const [whole = '', fraction] = text.slice(sign.length).split('.');
  const digits = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${fraction !== undefined ? `.${fraction}` : ''}`;
}

/** "1 conversation", "2 conversations", "1,000 messages": a count with its noun, for messages to people. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${grouped(n)} ${n === 1 ? singular : plural}`;
}
