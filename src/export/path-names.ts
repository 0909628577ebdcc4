import { createHash } from 'node:crypto';

/** Longest name kept before a suffix is added (bytes of UTF-8; file systems allow 255). */
const MAX_NAME_BYTES = 180;

/** Names Windows reserves for devices, also with an extension (`con.txt`). */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\.|$)/i;

/** 8 hex digits of SHA-256: a short, stable tag of a name. */
function tagOf(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 8);
}

function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let out = '';
  let bytes = 0;
  for (const ch of text) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * A name usable as one path segment on Linux, macOS and Windows, which can never leave the folder
 * it is joined to. A JID is kept as it is (non-ASCII letters included, like ceb2txt does) when it is
 * already such a name. Otherwise path separators, control characters (NUL too) and characters
 * Windows forbids become `_`, trailing dots and spaces become `_`, device names (`con`, `nul`…) and
 * empty names get a leading `_`, long names are cut at 180 bytes — and, because that loses
 * information, `~` and 8 hex digits of the original name's SHA-256 are appended, so that two
 * different names never end up as the same segment (`a/b` → `a_b~1c2d3e4f`, `a_b` stays `a_b`).
 */
export function safeSegment(name: string): string {
  // eslint-disable-next-line no-control-regex
  let s = name.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_');
  s = s.replace(/^\.+|[. ]+$/g, (m) => '_'.repeat(m.length));
  if (s === '' || WINDOWS_DEVICE.test(s)) s = `_${s}`;
  s = truncateUtf8(s, MAX_NAME_BYTES);
  return s === name ? s : `${s}~${tagOf(name)}`;
}

/** How file systems that ignore case or Unicode normalisation (macOS, Windows) compare names. */
function foldedName(segment: string): string {
  return segment.normalize('NFC').toLowerCase();
}

/**
 * One folder name per item, different from every other even on a file system that ignores case
 * and Unicode normalisation, and stable: it depends only on the items, never on their order.
 * Each item gets `safeSegment(name)`; when several of these fold to the same name (`Bob@x` and
 * `bob@x`, or two rows with the same JID), the one already in folded form keeps it and the others
 * get `~` and 8 hex digits of their name's SHA-256 (of name and id for identical names).
 */
export function uniqueFolderNames<T>(
  items: readonly T[],
  nameOf: (item: T) => string,
  idOf: (item: T) => string,
): Map<T, string> {
  const entries = items
    .map((item) => ({ item, name: nameOf(item), id: idOf(item), base: safeSegment(nameOf(item)) }))
    .sort((a, b) =>
      a.base < b.base ? -1 : a.base > b.base ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
  const groups = new Map<string, typeof entries>();
  for (const e of entries) {
    const key = foldedName(e.base);
    const group = groups.get(key);
    if (group) group.push(e);
    else groups.set(key, [e]);
  }
  const result = new Map<T, string>();
  const used = new Set<string>();
  const others: typeof entries = [];
  for (const [key, group] of groups) {
    const keeper = group.length === 1 ? group[0] : group.find((e) => e.base === key);
    for (const e of group) {
      if (e === keeper) {
        result.set(e.item, e.base);
        used.add(key);
      } else {
        others.push(e);
      }
    }
  }
  for (const e of others) {
    const candidates = [
      `${e.base}~${tagOf(e.name)}`,
      `${e.base}~${tagOf(`${e.name}\u0000${e.id}`)}`,
    ];
    let chosen = candidates.find((c) => !used.has(foldedName(c)));
    for (let n = 2; chosen === undefined; n++) {
      const c = `${candidates[1]}~${n}`;
      if (!used.has(foldedName(c))) chosen = c;
    }
    result.set(e.item, chosen);
    used.add(foldedName(chosen));
  }
  return result;
}
