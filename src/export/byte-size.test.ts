import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from './byte-size.js';

test('sizes in IEC units, one decimal below 10', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024), '1.0 KiB');
  assert.equal(formatBytes(3097547), '3.0 MiB');
  assert.equal(formatBytes(16 * 1024 * 1024 + 5), '16 MiB');
  assert.equal(formatBytes(5 * 1024 ** 3), '5.0 GiB');
  assert.equal(formatBytes(2048 * 1024 ** 4), '2048 TiB');
});
