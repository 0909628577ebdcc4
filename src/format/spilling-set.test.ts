// verify's message-uuid ledger with bounded memory (spilling-set.ts): repeats inside the window
// are refused at once, repeats across the runs on disk are found before any later error and at
// the end, and the content check reports exactly what a ledger holding every uuid reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BackupContentCheck, type ContentLedger } from './content-check.js';
import { MalformedContentError } from './errors.js';
import { SpillingSet, WINDOW } from './spilling-set.js';
import type { BackupHeader, BackupRow } from './types.js';

const MANY = 2 * WINDOW + 5000; // two runs on disk and a window

test('a repeat inside the window is refused at once; one across runs is found later, with its row and text', () => {
  const set = new SpillingSet();
  try {
    for (let i = 0; i < MANY; i++) assert.equal(set.add(`uuid-${i}`, i + 1), true);
    assert.equal(set.earliestRepeat(), undefined);
    assert.equal(set.add(`uuid-${MANY - 1}`, MANY + 1), false, 'in the window');
    // uuid-7 went to a run long ago: accepted now, found by the merge
    assert.equal(set.add('uuid-7', MANY + 2), true);
    assert.equal(set.add(`uuid-${WINDOW + 3}`, MANY + 3), true);
    assert.deepEqual(set.earliestRepeat(), { row: MANY + 2, text: 'uuid-7' });
    assert.equal(set.earliestRepeat(MANY + 2), undefined, 'only rows before the one given');
  } finally {
    set.dispose();
  }
});

/** A ledger that keeps every uuid: what the bounded one must be indistinguishable from. */
class FullLedger implements ContentLedger {
  private readonly conversations = new Set<string>();
  private readonly messages = new Set<string>();
  addConversation(uuid: string): boolean {
    if (this.conversations.has(uuid)) return false;
    this.conversations.add(uuid);
    return true;
  }
  hasConversation(uuid: string): boolean {
    return this.conversations.has(uuid);
  }
  addMessage(uuid: string): boolean {
    if (this.messages.has(uuid)) return false;
    this.messages.add(uuid);
    return true;
  }
}

const header = { version: 2, jid: 'a@example.org' } as BackupHeader;

function* rows(
  repeatAt: number | undefined,
  otherErrorAt: number | undefined,
): Generator<BackupRow> {
  yield { table: 'accounts', values: { uuid: 'acc', username: 'a', server: 'example.org' } };
  yield { table: 'conversations', values: { uuid: 'c1', accountUuid: 'acc' } };
  for (let i = 0; i < MANY; i++) {
    const uuid = i === repeatAt ? 'early-uuid-12' : `early-uuid-${i}`;
    const conversation = i === otherErrorAt ? 'elsewhere' : 'c1';
    yield { table: 'messages', values: { uuid, conversationUuid: conversation } };
  }
}

function outcome(ledger: ContentLedger | undefined, all: Iterable<BackupRow>): string {
  const check = new BackupContentCheck(header, ledger);
  try {
    for (const row of all) check.check(row);
    check.finish();
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof MalformedContentError);
    return err.message;
  } finally {
    check.dispose();
  }
}

test('the content check with the bounded ledger reports the first error exactly as with every uuid kept', () => {
  const cases: [number | undefined, number | undefined][] = [
    [undefined, undefined], // clean
    [WINDOW + 50, undefined], // a repeat across runs, found at the end
    [WINDOW + 50, MANY - 10], // ... reported before a later error
    [MANY - 10, WINDOW + 50], // a later repeat does not hide an earlier error
    [40, undefined], // a repeat inside the window
  ];
  for (const [repeatAt, otherAt] of cases) {
    const expected = outcome(new FullLedger(), rows(repeatAt, otherAt));
    assert.equal(outcome(undefined, rows(repeatAt, otherAt)), expected);
    if (repeatAt !== undefined && otherAt === undefined)
      assert.match(expected, /message "early-uuid-12" appears twice/);
  }
});
