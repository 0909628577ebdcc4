import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { GZIP_BLOCK, ParallelGzip } from './parallel-gzip.js';

async function gzipped(pieces: Buffer[]): Promise<Buffer> {
  const out: Buffer[] = [];
  const gzip = new ParallelGzip(async (b) => {
    out.push(Buffer.from(b));
  });
  for (const piece of pieces) await gzip.write(piece);
  await gzip.end();
  return Buffer.concat(out);
}

test('blocks compressed by several lanes make one gzip member that gunzip reads back exactly', async () => {
  // Pieces of varied sizes (a few bytes to more than a block), ~6 blocks in all, with text that
  // repeats across block boundaries (a block must not refer to the one before it).
  const pieces: Buffer[] = [];
  let length = 0;
  for (let i = 0; length < 6 * GZIP_BLOCK; i++) {
    const size = [7, 300, 65_536, 250_000, GZIP_BLOCK + 17][i % 5] as number;
    const unit = `row ${i % 97} ${'abc😀'.repeat(i % 13)} "q" \\ `;
    const piece = Buffer.from(unit.repeat(Math.ceil(size / unit.length)).slice(0, size), 'utf8');
    pieces.push(piece);
    length += piece.length;
  }
  const plain = Buffer.concat(pieces);
  const gz = await gzipped(pieces);
  assert.deepEqual(gunzipSync(gz), plain);
  assert.ok(gz.length < plain.length / 20, `compressed to ${gz.length} of ${plain.length}`);
  // Exactly a multiple of the block, then nothing: the final block is an empty one.
  const exact = Buffer.alloc(2 * GZIP_BLOCK, 'x');
  assert.deepEqual(gunzipSync(await gzipped([exact])), exact);
  assert.equal(gunzipSync(await gzipped([])).length, 0);
});
