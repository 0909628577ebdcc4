import { test } from 'node:test';
import assert from 'node:assert/strict';
import { count, grouped } from './plural.js';

test('numbers are grouped as en-US writes them, for any size and sign', () => {
  for (const n of [0, 7, 999, 1000, 12345, 1_000_000, -4321, 2 ** 53 - 1, 1234.5]) {
    assert.equal(grouped(n), n.toLocaleString('en-US', { maximumFractionDigits: 20 }), String(n));
  }
  assert.equal(grouped(2n ** 63n), '9,223,372,036,854,775,808');
  assert.equal(count(1, 'message'), '1 message');
  assert.equal(count(1200, 'message'), '1,200 messages');
});
