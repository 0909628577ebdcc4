import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelay } from './backoff.js';

test('backoff doubles up to the maximum, with bounded jitter', () => {
  const opts = { initialMs: 1000, maxMs: 8000, jitter: 0.2 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, opts, () => 0.5)),
    [1000, 2000, 4000, 8000, 8000, 8000],
  );
  assert.equal(
    backoffDelay(0, opts, () => 0),
    800,
  );
  assert.equal(
    backoffDelay(1, opts, () => 1),
    2400,
  );
  assert.equal(
    backoffDelay(5, opts, () => 1),
    8000,
  );
});
