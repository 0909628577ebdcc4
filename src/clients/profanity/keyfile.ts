import { KeyFileError } from '../errors.js';

/**
 * GLib's key files (`GKeyFile`), the form of profanity's accounts file and OMEMO files:
 *
 *   # comment
 *   [group]
 *   key=value
 *
 * Values are escaped as `g_key_file_set_string` does (`\\`, `\n`, `\t`, `\r`, a leading space as
 * `\s`); string lists are `a;b;` with `\;` inside an item. Groups and keys keep their order.
 * Reading is strict: a line that is none of the above is an error, so a damaged file is noticed.
 */
export { KeyFileError };

export class KeyFile {
  private readonly data = new Map<string, Map<string, string>>();
  /** Values stored already escaped (string lists), by `group\0key`. */
  private readonly escaped = new Set<string>();

  static parse(text: string): KeyFile {
    const kf = new KeyFile();
    let group: Map<string, string> | undefined;
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
      const line = raw.replace(/\r$/, '').replace(/^[ \t]+/, '');
      if (line === '' || line.startsWith('#')) return;
      const g = /^\[([^\][]+)\]\s*$/.exec(line);
      if (g?.[1] !== undefined) {
        if (kf.data.has(g[1])) throw new KeyFileError(`line ${i + 1}: group [${g[1]}] repeated`);
        group = new Map();
        kf.data.set(g[1], group);
        return;
      }
      const eq = line.indexOf('=');
      if (eq <= 0 || group === undefined) {
        throw new KeyFileError(`line ${i + 1} is not "key=value" inside a [group]`);
      }
      const key = line.slice(0, eq).trimEnd();
      group.set(key, unescape(line.slice(eq + 1).replace(/^[ \t]+/, ''), i + 1));
    });
    return kf;
  }

  groups(): string[] {
    return [...this.data.keys()];
  }

  keys(group: string): string[] {
    return [...(this.data.get(group)?.keys() ?? [])];
  }

  has(group: string, key?: string): boolean {
    const g = this.data.get(group);
    return key === undefined ? g !== undefined : (g?.has(key) ?? false);
  }

  get(group: string, key: string): string | undefined {
    return this.data.get(group)?.get(key);
  }

  /** A string list (`a;b;`), [] when missing. */
  getList(group: string, key: string): string[] {
    const raw = this.get(group, key);
    if (raw === undefined || raw === '') return [];
    const items: string[] = [];
    let cur = '';
    for (let i = 0; i < raw.length; i++) {
      const c = raw[i];
      if (c === '\\' && raw[i + 1] === ';') {
        cur += ';';
        i++;
      } else if (c === ';') {
        items.push(cur);
        cur = '';
      } else cur += c;
    }
    if (cur !== '') items.push(cur);
    return items;
  }

  set(group: string, key: string, value: string | number | boolean): void {
    if (/[\][\n]/.test(group)) throw new KeyFileError(`group name "${group}" cannot be written`);
    if (key === '' || /[=\n[\]]/.test(key) || key !== key.trim()) {
      throw new KeyFileError(`key "${key}" cannot be written`);
    }
    let g = this.data.get(group);
    if (!g) {
      g = new Map();
      this.data.set(group, g);
    }
    g.set(key, String(value));
    this.escaped.delete(`${group}\u0000${key}`);
  }

  setList(group: string, key: string, items: string[]): void {
    this.set(group, key, items.map((s) => `${escape(s).replaceAll(';', '\\;')};`).join(''));
    this.escaped.add(`${group}\u0000${key}`);
  }

  /** The file's text, as `g_key_file_to_data` lays it out (a blank line between groups). */
  toString(): string {
    const out: string[] = [];
    for (const [name, entries] of this.data) {
      if (out.length > 0) out.push('');
      out.push(`[${name}]`);
      for (const [k, v] of entries) {
        out.push(`${k}=${this.escaped.has(`${name}\u0000${k}`) ? v : escape(v)}`);
      }
    }
    return out.length > 0 ? `${out.join('\n')}\n` : '';
  }
}

function escape(value: string): string {
  let s = value
    .replaceAll('\\', '\\\\')
    .replaceAll('\n', '\\n')
    .replaceAll('\t', '\\t')
    .replaceAll('\r', '\\r');
  if (s.startsWith(' ')) s = `\\s${s.slice(1)}`;
  return s;
}

function unescape(value: string, line: number): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = value[++i];
    switch (n) {
      case 's':
        out += ' ';
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case '\\':
        out += '\\';
        break;
      case ';':
        out += '\\;'; // kept for getList
        break;
      default:
        throw new KeyFileError(`line ${line}: unknown escape "\\${n ?? ''}"`);
    }
  }
  return out;
}
