import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  CHUNK_SIZE,
  deriveCompanionKey,
  FOOTER_LENGTH,
  FRAME_HEADER_LENGTH,
  FrameKind,
  keyMatchesHeader,
  MARKER_LENGTH,
  MAX_FRAME_PLAINTEXT,
  openFrame,
  parseCompanionHeader,
  parseFooter,
  parseFrameHeader,
  TAG_LENGTH,
  type CompanionHeader,
  type EntryEndRecord,
  type EntryStartRecord,
  type FrameHeader,
  type IndexRecord,
} from './companion-format.js';
import { CompanionWrongPasswordError } from './errors.js';

/** What reading a companion yields, in file order. */
export type CompanionEvent =
  | { type: 'start'; entry: number; path: string; size: number; mtime: number }
  | { type: 'data'; entry: number; bytes: Buffer }
  /** The entry is complete: every piece authenticated, size and SHA-256 match. */
  | { type: 'end'; entry: number; path: string; size: number; sha256: string; mtime: number }
  /** An entry (or an unknown stretch of the file) is lost; `path` is null when it can't be known. */
  | { type: 'damaged'; entry: number | null; path: string | null; reason: string };

export interface MediaCompanion {
  header: CompanionHeader;
  /** The index written at the end, or null when the end of the file is missing or damaged. */
  index: IndexRecord[] | null;
  fileSize: number;
  /** Streams the entries; entries whose pieces don't authenticate come out as `damaged`. */
  events(): AsyncGenerator<CompanionEvent>;
  close(): Promise<void>;
}

const HEADER_PROBE = 70_000;

/**
 * Opens a media companion: reads the header, checks the password against it (wrong password is
 * thrown here, before anything is restored) and reads the index from the end when it is intact.
 */
export async function openMediaCompanion(path: string, password: string): Promise<MediaCompanion> {
  const file = await open(path, 'r');
  try {
    const fileSize = (await file.stat()).size;
    const probe = await readAt(file, 0, Math.min(HEADER_PROBE, fileSize));
    const header = parseCompanionHeader(probe, basename(path));
    const key = await deriveCompanionKey(password, header.salt, header.iterations);
    if (!keyMatchesHeader(key, probe, header)) throw new CompanionWrongPasswordError();
    const { index, end } = await readIndex(file, key, header, fileSize);
    return {
      header,
      index,
      fileSize,
      events: () => readEvents(file, key, header, index, end),
      close: () => file.close(),
    };
  } catch (err) {
    await file.close().catch(() => undefined);
    throw err;
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let total = 0;
  while (total < length) {
    const { bytesRead } = await file.read(buffer, total, length - total, position + total);
    if (bytesRead === 0) break;
    total += bytesRead;
  }
  return total === length ? buffer : buffer.subarray(0, total);
}

/** Reads the footer and the index frame; `end` is where entry frames stop. */
async function readIndex(
  file: FileHandle,
  key: Buffer,
  header: CompanionHeader,
  fileSize: number,
): Promise<{ index: IndexRecord[] | null; end: number }> {
  if (fileSize < header.length + FOOTER_LENGTH) return { index: null, end: fileSize };
  const footer = await readAt(file, fileSize - FOOTER_LENGTH, FOOTER_LENGTH);
  const offset = parseFooter(footer, header.marker);
  if (offset === null || offset < header.length || offset > fileSize - FOOTER_LENGTH) {
    return { index: null, end: fileSize };
  }
  const frame = await readFrame(file, key, header, offset, fileSize - FOOTER_LENGTH);
  if (frame.kind !== 'ok' || frame.header.kind !== FrameKind.index)
    return { index: null, end: offset };
  try {
    const parsed = JSON.parse(frame.plain.toString('utf8')) as { entries?: unknown };
    if (!Array.isArray(parsed.entries)) return { index: null, end: offset };
    return { index: parsed.entries.filter(isIndexRecord), end: offset };
  } catch {
    return { index: null, end: offset };
  }
}

function isIndexRecord(value: unknown): value is IndexRecord {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.entry === 'number' &&
    typeof v.path === 'string' &&
    typeof v.size === 'number' &&
    typeof v.sha256 === 'string' &&
    typeof v.offset === 'number'
  );
}

type FrameRead =
  | { kind: 'ok'; header: FrameHeader; plain: Buffer; next: number }
  /** The frame is there but does not authenticate; `next` skips it. */
  | { kind: 'bad'; header: FrameHeader; next: number }
  /** A frame header whose frame runs past the end: the file is cut short (or the length damaged). */
  | { kind: 'cut' }
  /** No frame starts here: resynchronise. */
  | { kind: 'lost' };

async function readFrame(
  file: FileHandle,
  key: Buffer,
  header: CompanionHeader,
  position: number,
  end: number,
): Promise<FrameRead> {
  if (position + FRAME_HEADER_LENGTH + TAG_LENGTH > end) return { kind: 'cut' };
  const frameHeader = parseFrameHeader(
    await readAt(file, position, FRAME_HEADER_LENGTH),
    header.marker,
  );
  if (frameHeader === null || frameHeader.length > MAX_FRAME_PLAINTEXT) return { kind: 'lost' };
  const next = position + FRAME_HEADER_LENGTH + frameHeader.length + TAG_LENGTH;
  if (next > end) return { kind: 'cut' };
  const body = await readAt(file, position + FRAME_HEADER_LENGTH, frameHeader.length + TAG_LENGTH);
  const plain = openFrame(key, frameHeader, body);
  return plain === null
    ? { kind: 'bad', header: frameHeader, next }
    : { kind: 'ok', header: frameHeader, plain, next };
}

/** The next position at or after `from` where the file's frame marker appears, or `end`. */
async function findMarker(
  file: FileHandle,
  marker: Buffer,
  from: number,
  end: number,
): Promise<number> {
  let position = from;
  while (position < end) {
    const window = await readAt(file, position, Math.min(CHUNK_SIZE, end - position));
    const found = window.indexOf(marker);
    if (found >= 0) return position + found;
    if (window.length < MARKER_LENGTH) return end;
    position += window.length - (MARKER_LENGTH - 1);
  }
  return end;
}

interface OpenEntry {
  entry: number;
  path: string;
  size: number;
  mtime: number;
  nextChunk: number;
  bytes: number;
  hash: Hash;
}

async function* readEvents(
  file: FileHandle,
  key: Buffer,
  header: CompanionHeader,
  index: IndexRecord[] | null,
  end: number,
): AsyncGenerator<CompanionEvent> {
  const pathOf = (entry: number): string | null =>
    index?.find((e) => e.entry === entry)?.path ?? null;
  const finished = new Set<number>();
  let current: OpenEntry | null = null;
  let lostStretch = false;

  const damage = (entry: number, path: string | null, reason: string): CompanionEvent | null => {
    if (finished.has(entry)) return null;
    finished.add(entry);
    return { type: 'damaged', entry, path: path ?? pathOf(entry), reason };
  };
  const closeCurrent = (reason: string): CompanionEvent | null => {
    if (current === null) return null;
    const event = damage(current.entry, current.path, reason);
    current = null;
    return event;
  };

  let position = header.length;
  while (position < end) {
    const frame = await readFrame(file, key, header, position, end);
    if (frame.kind === 'cut' && index === null) break;
    if (frame.kind === 'lost' || frame.kind === 'cut') {
      const event = closeCurrent('part of the file is damaged');
      if (event) yield event;
      lostStretch = true;
      position = await findMarker(file, header.marker, position + 1, end);
      continue;
    }
    position = frame.next;
    const fh = frame.header;
    if (frame.kind === 'bad') {
      // The header of a bad frame is not trustworthy; the open entry is lost either way. A bad start
      // frame shows up through the entry's later frames (or the index).
      const event = closeCurrent('a piece of the file does not authenticate (damaged)');
      if (event) yield event;
      continue;
    }
    if (fh.kind === FrameKind.entryStart) {
      const incomplete = closeCurrent('the file is incomplete in the companion');
      if (incomplete) yield incomplete;
      if (finished.has(fh.entry)) continue;
      const start = parseJson<EntryStartRecord>(frame.plain);
      if (start === null || typeof start.path !== 'string' || typeof start.size !== 'number') {
        const event = damage(fh.entry, null, 'its description is unreadable');
        if (event) yield event;
        continue;
      }
      current = {
        entry: fh.entry,
        path: start.path,
        size: start.size,
        mtime: typeof start.mtime === 'number' ? start.mtime : Date.now(),
        nextChunk: 0,
        bytes: 0,
        hash: createHash('sha256'),
      };
      yield {
        type: 'start',
        entry: fh.entry,
        path: start.path,
        size: start.size,
        mtime: current.mtime,
      };
    } else if (fh.kind === FrameKind.data) {
      if (current === null || current.entry !== fh.entry) {
        const event = damage(fh.entry, null, 'its beginning is missing');
        if (event) yield event;
        continue;
      }
      if (fh.chunk !== current.nextChunk) {
        const event = closeCurrent('a piece of the file is missing');
        if (event) yield event;
        continue;
      }
      current.nextChunk += 1;
      current.bytes += frame.plain.length;
      current.hash.update(frame.plain);
      yield { type: 'data', entry: fh.entry, bytes: frame.plain };
    } else if (fh.kind === FrameKind.entryEnd) {
      if (current === null || current.entry !== fh.entry) {
        const event = damage(fh.entry, null, 'its beginning is missing');
        if (event) yield event;
        continue;
      }
      const record = parseJson<EntryEndRecord>(frame.plain);
      const sha256 = current.hash.digest('hex');
      if (
        record === null ||
        record.chunks !== current.nextChunk ||
        record.size !== current.bytes ||
        record.sha256 !== sha256
      ) {
        const event = closeCurrent('the restored bytes do not match the checksum');
        if (event) yield event;
        continue;
      }
      const done = current;
      current = null;
      finished.add(done.entry);
      yield {
        type: 'end',
        entry: done.entry,
        path: done.path,
        size: done.bytes,
        sha256,
        mtime: done.mtime,
      };
    } else {
      // An index frame before the end: nothing more to read.
      break;
    }
  }
  const tail = closeCurrent('the companion ends inside this file (truncated)');
  if (tail) yield tail;
  if (index !== null) {
    for (const record of index) {
      if (!finished.has(record.entry)) {
        finished.add(record.entry);
        yield {
          type: 'damaged',
          entry: record.entry,
          path: record.path,
          reason: 'missing from the companion',
        };
      }
    }
  } else {
    yield {
      type: 'damaged',
      entry: null,
      path: null,
      reason: lostStretch
        ? 'the end of the companion is damaged: files stored after the last good one may be lost'
        : 'the companion is truncated: files stored after the last good one may be lost',
    };
  }
}

function parseJson<T>(bytes: Buffer): Partial<T> | null {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as Partial<T>) : null;
  } catch {
    return null;
  }
}
