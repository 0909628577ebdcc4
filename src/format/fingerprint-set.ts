/**
 * A compact set of strings for checks over millions of rows: it keeps a 64-bit fingerprint of each
 * string (8 bytes per entry in an open-addressing table, at most half full), never the strings.
 * Two different strings share a fingerprint with a probability of about n²/2⁶⁵ (3·10⁻⁶ for ten
 * million strings); `add` then reports the second one as already present.
 */
export class FingerprintSet {
  private slots = new Uint32Array(2 * 1024);
  private capacity = 1024;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Adds `text`; false when it (or a string with the same fingerprint) was already there. */
  add(text: string): boolean {
    const [a, b] = fingerprint(text);
    if (this.count * 2 >= this.capacity) this.grow();
    return this.insert(a, b);
  }

  has(text: string): boolean {
    const [a, b] = fingerprint(text);
    const mask = this.capacity - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const x = this.slots[2 * i] as number;
      const y = this.slots[2 * i + 1] as number;
      if (x === 0 && y === 0) return false;
      if (x === a && y === b) return true;
    }
  }

  private insert(a: number, b: number): boolean {
    const mask = this.capacity - 1;
    for (let i = a & mask; ; i = (i + 1) & mask) {
      const x = this.slots[2 * i] as number;
      const y = this.slots[2 * i + 1] as number;
      if (x === 0 && y === 0) {
        this.slots[2 * i] = a;
        this.slots[2 * i + 1] = b;
        this.count++;
        return true;
      }
      if (x === a && y === b) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.capacity *= 2;
    this.slots = new Uint32Array(2 * this.capacity);
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const a = old[i] as number;
      const b = old[i + 1] as number;
      if (a !== 0 || b !== 0) this.insert(a, b);
    }
  }
}

/** Two independent 32-bit hashes of the UTF-16 code units (never both 0: that marks a free slot). */
export function fingerprint(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  a = mix(a);
  b = mix(b ^ 0x27d4eb2f);
  if (a === 0 && b === 0) a = 1;
  return [a >>> 0, b >>> 0];
}

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
