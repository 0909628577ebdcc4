/**
 * Worker thread of the parallel body parser (parallel-parse.ts): parses one batch of a body — text
 * that starts at a row boundary and, unless it is the last, ends at one — with the same strict
 * reader as a sequential read. Anything that does not parse cleanly is answered with `ok: false`:
 * the coordinator then reads from that batch on sequentially, which gives the exact error.
 */
import { parentPort } from 'node:worker_threads';
import { CROSS_ROW_COLUMNS, rowsPassOwnChecks } from './content-check.js';
import { checkJsonBatch } from './json-batch-check.js';
import { JsonBodyReader } from './json-body-reader.js';
import { packRows, type RowBatch } from './row-batch.js';
import { SqlBodyReader } from './sql-body-reader.js';
import type { BackupRow, FormatVersion } from './types.js';

const PIECE = 64 * 1024;

/** A batch to parse: its bytes, whether it starts / ends the body, whether values are wanted. */
export interface ParseRequest {
  id: number;
  version: FormatVersion;
  bytes: Uint8Array;
  first: boolean;
  last: boolean;
  values: boolean | 'for-check';
}

/** The batch's rows (or only their count per table), or `ok: false`: read it sequentially. */
export type ParseReply = { id: number; ok: true; batch: RowBatch } | { id: number; ok: false };

export function parseBatch(request: ParseRequest): ParseReply {
  const { id, version, bytes, first, last } = request;
  try {
    if (version === 2 && request.values !== false) {
      // What verify needs (or, for an import, every value) straight from the bytes; anything
      // unusual goes the strict way below.
      const batch = checkJsonBatch(bytes, first, last, request.values === true);
      if (batch !== undefined) return { id, ok: true, batch };
    }
    return readBatch(request);
  } catch {
    return { id, ok: false };
  }
}

/** A batch read by the strict reader (what {@link parseBatch} falls back to). */
export function readBatch(request: ParseRequest): ParseReply {
  const { id, version, bytes, first, last } = request;
  try {
    const reader = version === 1 ? new SqlBodyReader() : new JsonBodyReader();
    if (!first) reader.resume(0, 1);
    const rows: BackupRow[] = [];
    // Decoded in pieces: V8 makes one large string from UTF-8 much more slowly than small ones.
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    for (let at = 0; at < bytes.length; at += PIECE) {
      const piece = bytes.subarray(at, Math.min(bytes.length, at + PIECE));
      reader.push(decoder.decode(piece, { stream: true }), rows);
    }
    reader.push(decoder.decode(), rows);
    reader.flush(rows);
    if (last) reader.end(rows);
    else if (!reader.atBoundary()) return { id, ok: false };
    if (request.values !== 'for-check') {
      return { id, ok: true, batch: packRows(rows, request.values) };
    }
    // Each row's own checks here; only what the checks across rows read goes back.
    if (!rowsPassOwnChecks(version, rows)) return { id, ok: false };
    return { id, ok: true, batch: packRows(rows, true, CROSS_ROW_COLUMNS) };
  } catch {
    return { id, ok: false };
  }
}

const port = parentPort;
if (port !== null) {
  port.on('message', (request: ParseRequest) => {
    const reply = parseBatch(request);
    // The spans move to the coordinator; the bytes they point into are shared already.
    const spans = reply.ok ? reply.batch.spans?.spans.buffer : undefined;
    port.postMessage(reply, spans instanceof ArrayBuffer ? [spans] : []);
  });
}
