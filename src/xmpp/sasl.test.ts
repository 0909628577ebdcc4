import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseMechanism } from './sasl.js';
import { SaslDowngradeError } from './transport-security.js';

test('the strongest mechanism is chosen; PLAIN only over TLS; a pinned mechanism is never undercut', () => {
  const both = ['PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'];
  assert.equal(chooseMechanism(both, { secure: true, pinned: null }), 'SCRAM-SHA-256');
  assert.equal(chooseMechanism(['PLAIN'], { secure: true, pinned: null }), 'PLAIN');
  assert.throws(() => chooseMechanism(['PLAIN'], { secure: false, pinned: null }), {
    name: 'NoMechanismError',
  });
  assert.throws(
    () => chooseMechanism(['PLAIN', 'SCRAM-SHA-1'], { secure: true, pinned: 'SCRAM-SHA-256' }),
    SaslDowngradeError,
  );
  // Conversations pins with channel binding; ferry compares the hash (it has no -PLUS yet).
  assert.equal(
    chooseMechanism(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256'], {
      secure: true,
      pinned: 'SCRAM-SHA-256-PLUS',
    }),
    'SCRAM-SHA-256',
  );
  // A server offering SCRAM-SHA-512 for a SCRAM-SHA-512 pin isn't downgrading, even if ferry uses 256.
  assert.equal(
    chooseMechanism(['SCRAM-SHA-512', 'SCRAM-SHA-256'], { secure: true, pinned: 'SCRAM-SHA-512' }),
    'SCRAM-SHA-256',
  );
});
