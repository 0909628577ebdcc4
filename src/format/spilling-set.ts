/**
 * The message uuids of `verify`, with memory bounded whatever the file holds: the uuids of the
 * last {@link WINDOW} messages are fingerprints in memory (a repeat among them is found at once),
 * older ones go, sorted, to runs in a scratch file. A repeat across runs is found when the body
 * ends, or before any other error is reported (see {@link SpillingSet.earliestRepeat}), by merging
 * the runs — so the check reports the same first error, at the same row, as one set in memory.
 * A log of the uuids (scratch too) gives the repeated one's text back.
 *
 * The scratch files are made when the log's buffer first fills, in the system's temporary folder,
 * readable by the user alone, and removed from the folder at once (their space is freed when the
 * process ends, however it ends). Disk: about 12 bytes per message in runs and the uuid's length
 * plus 6 in the log. Two different uuids share a 64-bit fingerprint with a probability of about
 * n²/2⁶⁵ (3·10⁻⁶ for ten million); the second is then reported as a repeat.
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fingerprint } from './fingerprint-set.js';

/** Fingerprints kept in memory before they go to a run (4 MiB of table, 1 MiB of rows). */
export const WINDOW = 1 << 17;
const SLOTS = 2 * WINDOW;
const MASK = SLOTS - 1;
const RECORD = 3; // a, b, row (u32 each)
const LOG_BUFFER = 256 * 1024;
const MERGE_BLOCK = 4096; // records read at a time per run

interface Run {
  /** Record index in the runs file. */
  start: number;
  count: number;
}

export interface Repeat {
  row: number;
  text: string;
}

export class SpillingSet {
  private slots = new Uint32Array(2 * 1024);
  private rows = new Uint32Array(1024);
  private capacity = 1024;
  private count = 0;
  private readonly runs: Run[] = [];
  private runRecords = 0;
  private runsFd: number | undefined;
  private logFd: number | undefined;
  private log = Buffer.allocUnsafe(LOG_BUFFER);
  private logUsed = 0;
  private logWritten = 0;

  /** Adds the uuid of row `row`; false when the window already holds it (a repeat). */
  add(text: string, row: number): boolean {
    const [a, b] = fingerprint(text);
    if (this.count * 2 >= this.capacity && this.capacity < SLOTS) this.grow();
    const mask = this.capacity - 1;
    let i = a & mask;
    for (; ; i = (i + 1) & mask) {
      const x = this.slots[2 * i] as number;
      const y = this.slots[2 * i + 1] as number;
      if (x === 0 && y === 0) break;
      if (x === a && y === b) return false;
    }
    this.slots[2 * i] = a;
    this.slots[2 * i + 1] = b;
    this.rows[i] = row;
    this.count++;
    this.writeLog(text, row);
    if (this.count >= WINDOW) this.spill();
    return true;
  }

  /**
   * The first row (before `before`) whose uuid an earlier row had, across runs; undefined when
   * none. Repeats inside the window were refused by {@link add} already.
   */
  earliestRepeat(before = Infinity): Repeat | undefined {
    if (this.runs.length === 0) return undefined;
    const window = this.windowRecords(false);
    const cursors: Cursor[] = this.runs.map((run) => new FileCursor(this.runsFd as number, run));
    cursors.push(new MemoryCursor(window));
    let best = Infinity;
    let bestKey: [number, number] | undefined;
    mergeGroups(cursors, (a, b, rows) => {
      if (rows.length < 2) return;
      rows.sort((x, y) => x - y);
      const second = rows[1] as number;
      if (second < best && second < before) {
        best = second;
        bestKey = [a, b];
      }
    });
    if (bestKey === undefined) return undefined;
    return { row: best, text: this.textOf(best) };
  }

  /** Frees the scratch files. */
  dispose(): void {
    for (const fd of [this.runsFd, this.logFd]) if (fd !== undefined) closeSync(fd);
    this.runsFd = undefined;
    this.logFd = undefined;
    this.runs.length = 0;
  }

  private grow(): void {
    const old = this.slots;
    const oldRows = this.rows;
    this.capacity *= 2;
    this.slots = new Uint32Array(2 * this.capacity);
    this.rows = new Uint32Array(this.capacity);
    const mask = this.capacity - 1;
    for (let j = 0; j < old.length / 2; j++) {
      const a = old[2 * j] as number;
      const b = old[2 * j + 1] as number;
      if (a === 0 && b === 0) continue;
      let i = a & mask;
      while ((this.slots[2 * i] as number) !== 0 || (this.slots[2 * i + 1] as number) !== 0)
        i = (i + 1) & mask;
      this.slots[2 * i] = a;
      this.slots[2 * i + 1] = b;
      this.rows[i] = oldRows[j] as number;
    }
  }

  /**
   * The window's entries as records, in merge order. `full`: the table is at its final size,
   * so slot order is nearly merge order already.
   */
  private windowRecords(full: boolean): Uint32Array {
    const out = new Uint32Array(this.count * RECORD);
    let n = 0;
    for (let i = 0; i < this.capacity; i++) {
      const a = this.slots[2 * i] as number;
      const b = this.slots[2 * i + 1] as number;
      if (a === 0 && b === 0) continue;
      out[n++] = a;
      out[n++] = b;
      out[n++] = this.rows[i] as number;
    }
    if (full && this.capacity === SLOTS) {
      sortRecords(out);
      return out;
    }
    const order = Array.from({ length: this.count }, (_, i) => i);
    order.sort((x, y) =>
      before(
        out[3 * x] as number,
        out[3 * x + 1] as number,
        out[3 * y] as number,
        out[3 * y + 1] as number,
      ),
    );
    const sorted = new Uint32Array(out.length);
    order.forEach((from, to) => sorted.set(out.subarray(3 * from, 3 * from + 3), 3 * to));
    return sorted;
  }

  private spill(): void {
    this.open();
    const records = this.windowRecords(true);
    const bytes = Buffer.from(records.buffer, records.byteOffset, records.byteLength);
    writeAll(this.runsFd as number, bytes, this.runRecords * RECORD * 4);
    this.runs.push({ start: this.runRecords, count: this.count });
    this.runRecords += this.count;
    this.slots.fill(0);
    this.count = 0;
  }

  private open(): void {
    if (this.runsFd !== undefined) return;
    this.runsFd = scratchFile('runs');
    this.logFd = scratchFile('log');
  }

  /** Log entry: row (u32), units (u8), two-byte (u8), then the first 80 UTF-16 units. */
  private writeLog(text: string, row: number): void {
    const units = Math.min(text.length, 80);
    let wide = false;
    for (let i = 0; i < units; i++) {
      if (text.charCodeAt(i) > 0xff) {
        wide = true;
        break;
      }
    }
    const size = 6 + units * (wide ? 2 : 1);
    if (this.logUsed + size > LOG_BUFFER) this.flushLog();
    const buf = this.log;
    buf.writeUInt32LE(row >>> 0, this.logUsed);
    buf[this.logUsed + 4] = units;
    buf[this.logUsed + 5] = wide ? 1 : 0;
    const s = text.length > units ? text.slice(0, units) : text;
    buf.write(s, this.logUsed + 6, wide ? 'utf16le' : 'latin1');
    this.logUsed += size;
  }

  private flushLog(): void {
    this.open();
    writeAll(this.logFd as number, this.log.subarray(0, this.logUsed), this.logWritten);
    this.logWritten += this.logUsed;
    this.logUsed = 0;
  }

  /** The (first 80 units of the) uuid of row `row`, from the log. */
  private textOf(row: number): string {
    this.flushLog();
    const fd = this.logFd as number;
    const buf = Buffer.allocUnsafe(LOG_BUFFER);
    let filePos = 0;
    let have = 0;
    let at = 0;
    for (;;) {
      if (have - at < 6 + 160) {
        buf.copy(buf, 0, at, have);
        have -= at;
        at = 0;
        const n = readSync(fd, buf, have, buf.length - have, filePos);
        filePos += n;
        have += n;
        if (have - at < 6) return '';
      }
      const r = buf.readUInt32LE(at);
      const units = buf[at + 4] as number;
      const wide = buf[at + 5] === 1;
      const size = 6 + units * (wide ? 2 : 1);
      if (r === row) return buf.toString(wide ? 'utf16le' : 'latin1', at + 6, at + size);
      at += size;
    }
  }
}

function scratchFile(what: string): number {
  const path = join(tmpdir(), `.ferry-verify-${what}-${randomBytes(6).toString('hex')}`);
  const fd = openSync(path, 'wx+', 0o600);
  try {
    unlinkSync(path);
  } catch {
    // a system that cannot remove an open file: left in the temporary folder
  }
  return fd;
}

function writeAll(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length)
    done += writeSync(fd, bytes, done, bytes.length - done, position + done);
}

/** Merge order of records: by slot (a's low bits), then a, then b. */
function before(a1: number, b1: number, a2: number, b2: number): number {
  const h = (a1 & MASK) - (a2 & MASK);
  if (h !== 0) return h;
  if (a1 !== a2) return a1 < a2 ? -1 : 1;
  return b1 === b2 ? 0 : b1 < b2 ? -1 : 1;
}

/**
 * Sorts records (a, b, row) in merge order. They come in slot order, nearly sorted already
 * (linear probing moves an entry only a few slots on, and some wrap to the front): an
 * insertion sort does it in about linear time.
 */
function sortRecords(r: Uint32Array): void {
  const n = r.length / RECORD;
  for (let i = 1; i < n; i++) {
    const a = r[3 * i] as number;
    const b = r[3 * i + 1] as number;
    const row = r[3 * i + 2] as number;
    let j = i - 1;
    while (j >= 0 && before(r[3 * j] as number, r[3 * j + 1] as number, a, b) > 0) {
      r[3 * j + 3] = r[3 * j] as number;
      r[3 * j + 4] = r[3 * j + 1] as number;
      r[3 * j + 5] = r[3 * j + 2] as number;
      j--;
    }
    r[3 * j + 3] = a;
    r[3 * j + 4] = b;
    r[3 * j + 5] = row;
  }
}

interface Cursor {
  /** False at the end. */
  ok: boolean;
  a: number;
  b: number;
  row: number;
  next(): void;
}

class MemoryCursor implements Cursor {
  ok = false;
  a = 0;
  b = 0;
  row = 0;
  private i = 0;
  constructor(private readonly r: Uint32Array) {
    this.next();
  }
  next(): void {
    this.ok = this.i < this.r.length;
    if (!this.ok) return;
    this.a = this.r[this.i] as number;
    this.b = this.r[this.i + 1] as number;
    this.row = this.r[this.i + 2] as number;
    this.i += RECORD;
  }
}

class FileCursor implements Cursor {
  ok = false;
  a = 0;
  b = 0;
  row = 0;
  private readonly block = new Uint32Array(MERGE_BLOCK * RECORD);
  private inBlock = 0;
  private at = 0;
  private read = 0;
  constructor(
    private readonly fd: number,
    private readonly run: Run,
  ) {
    this.next();
  }
  next(): void {
    if (this.at >= this.inBlock) {
      const count = Math.min(MERGE_BLOCK, this.run.count - this.read);
      if (count <= 0) {
        this.ok = false;
        return;
      }
      const bytes = Buffer.from(this.block.buffer, 0, count * RECORD * 4);
      let got = 0;
      const pos = (this.run.start + this.read) * RECORD * 4;
      while (got < bytes.length) {
        const n = readSync(this.fd, bytes, got, bytes.length - got, pos + got);
        if (n === 0) throw new Error('the scratch file of verify ended early');
        got += n;
      }
      this.read += count;
      this.inBlock = count * RECORD;
      this.at = 0;
    }
    this.ok = true;
    this.a = this.block[this.at] as number;
    this.b = this.block[this.at + 1] as number;
    this.row = this.block[this.at + 2] as number;
    this.at += RECORD;
  }
}

/** Visits each distinct fingerprint across the sorted cursors with the rows that have it. */
function mergeGroups(
  cursors: Cursor[],
  visit: (a: number, b: number, rows: number[]) => void,
): void {
  // a binary heap of cursor indices, smallest record first
  const heap = cursors.map((_, i) => i).filter((i) => (cursors[i] as Cursor).ok);
  const less = (i: number, j: number): boolean => {
    const x = cursors[i] as Cursor;
    const y = cursors[j] as Cursor;
    return before(x.a, x.b, y.a, y.b) < 0;
  };
  const down = (k: number): void => {
    for (;;) {
      const l = 2 * k + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const m = r < heap.length && less(heap[r] as number, heap[l] as number) ? r : l;
      if (!less(heap[m] as number, heap[k] as number)) return;
      [heap[k], heap[m]] = [heap[m] as number, heap[k] as number];
      k = m;
    }
  };
  for (let k = (heap.length >> 1) - 1; k >= 0; k--) down(k);
  let groupA = 0;
  let groupB = 0;
  let rows: number[] = [];
  while (heap.length > 0) {
    const c = cursors[heap[0] as number] as Cursor;
    if (rows.length > 0 && (c.a !== groupA || c.b !== groupB)) {
      visit(groupA, groupB, rows);
      rows = [];
    }
    groupA = c.a;
    groupB = c.b;
    rows.push(c.row);
    c.next();
    if (!c.ok) {
      heap[0] = heap[heap.length - 1] as number;
      heap.pop();
    }
    if (heap.length > 0) down(0);
  }
  if (rows.length > 0) visit(groupA, groupB, rows);
}
