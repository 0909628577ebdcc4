// The floor of reading a backup: AES-128-GCM decryption + gunzip of the body, counting bytes,
// nothing else (no parsing). Plain JavaScript on the built format library, so its peak RSS is
// Node's own plus the buffers.   node bench/floor.mjs FILE   (password in FERRY_PASSWORD)
import { Buffer } from 'node:buffer';
import { createDecipheriv } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import process from 'node:process';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { deriveKey, readHeader } from '@ferry/ceb-format';

const file = process.argv[2];
const { header, headerLength, fileSize } = await readHeader(file);
const key = await deriveKey(process.env.FERRY_PASSWORD ?? '', header.salt);
const tag = Buffer.alloc(16);
const fh = await open(file, 'r');
await fh.read(tag, 0, 16, fileSize - 16);
await fh.close();
const decipher = createDecipheriv('aes-128-gcm', key, header.iv);
decipher.setAuthTag(tag);
let bytes = 0;
await pipeline(
  createReadStream(file, { start: headerLength, end: fileSize - 17, highWaterMark: 256 * 1024 }),
  decipher,
  createGunzip(),
  new Writable({
    write(chunk, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
  }),
);
process.stdout.write(`${JSON.stringify({ plainBytes: bytes })}\n`);
