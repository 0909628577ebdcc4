import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDiskFullError } from './disk-full.js';

function withCode(code: string): Error {
  return Object.assign(new Error(`failed: ${code}`), { code });
}

test('a disk-full error is SQLITE_FULL or ENOSPC, nothing else', () => {
  assert.equal(isDiskFullError(withCode('SQLITE_FULL')), true);
  assert.equal(isDiskFullError(withCode('ENOSPC')), true);
  // The pattern is anchored at both ends for both codes: `^SQLITE_FULL|ENOSPC$` took these.
  assert.equal(isDiskFullError(withCode('SQLITE_FULL_OTHER')), false);
  assert.equal(isDiskFullError(withCode('NOT_ENOSPC')), false);
  assert.equal(isDiskFullError(withCode('SQLITE_CONSTRAINT')), false);
  assert.equal(isDiskFullError(new Error('ENOSPC')), false, 'the message is not the code');
  assert.equal(isDiskFullError({ code: 'ENOSPC' }), false, 'only errors');
});
