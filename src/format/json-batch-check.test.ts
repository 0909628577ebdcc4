// verify's byte-level check of a format-2 batch (json-batch-check.ts) against the strict reader
// it stands in for: whenever it calls a batch clean, the strict reader reads that batch to the
// same counts and cross-row values (and, asked for all values as an import is, to the same
// values); on hostile variants it steps aside (undefined), so the strict reader gives the error
// and its position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkJsonBatch } from './json-batch-check.js';
import { readBatch } from './parse-worker.js';
import { rowCount, slicesOf, type RowBatch } from './row-batch.js';

const ACCOUNT =
  '{"table":"accounts","values":{"uuid":"acc","username":"a","server":"example.org","options":194,"keys":"{\\"x\\":\\"1\\"}"}}';
const CONVERSATION =
  '{"table":"conversations","values":{"uuid":"c1","name":"Chat","accountUuid":"acc","created":"1577418999000"}}';

function message(i: number, body: string): string {
  return `{"table":"messages","values":{"uuid":"m${i}","conversationUuid":"c1","timeSent":"${1577837877815 + i}","body":${JSON.stringify(body)},"read":"1","oob":null}}`;
}

const BODIES = [
  'plain text',
  'ünïcødé 😀 "quoted" \\ back / slash',
  'a cut here? ,{"table":"messages"} and\nnew line\ttab',
  "escaped \u2028 and \u0001 and <html> & = '",
];

/** A batch of rows as the parser cuts them: from a row to just after the `,` after one. */
function batch(rows: string[], first: boolean, last: boolean): string {
  return `${first ? '[' : ''}${rows.join(',')}${last ? ']' : ','}`;
}

function strict(
  text: string | Buffer,
  first: boolean,
  last: boolean,
  values: true | 'for-check' = 'for-check',
): RowBatch | undefined {
  const reply = readBatch({
    id: 0,
    version: 2,
    bytes: Buffer.from(text),
    first,
    last,
    values,
  });
  return reply.ok ? reply.batch : undefined;
}

/** A batch as plain data, its values made from its spans when it has them. */
function plain(b: RowBatch | undefined): unknown {
  if (b === undefined) return undefined;
  const { counts, columnLists, shape, values } = made(b);
  return { counts, columnLists, shape: Array.from(shape), values };
}

function made(b: RowBatch): RowBatch {
  const [whole = b] = b.spans === undefined ? [] : slicesOf(b, rowCount(b));
  return whole;
}

/**
 * The fast check agrees with the strict reader wherever it answers, for verify (cross-row
 * values) and for an import (all values); returns its answer for verify.
 */
function agrees(text: string, first: boolean, last: boolean): RowBatch | undefined {
  const fast = checkJsonBatch(Buffer.from(text), first, last);
  if (fast !== undefined) {
    assert.deepEqual(plain(fast), plain(strict(text, first, last)), text.slice(0, 200));
  }
  const all = checkJsonBatch(Buffer.from(text), first, last, true);
  assert.equal(all === undefined, fast === undefined, `both modes accept: ${text.slice(0, 200)}`);
  if (all !== undefined) {
    assert.deepEqual(plain(all), plain(strict(text, first, last, true)), text.slice(0, 200));
  }
  return fast;
}

const rows = [ACCOUNT, CONVERSATION, ...BODIES.map((b, i) => message(i, b))];
const messages = BODIES.map((b, i) => message(i + 10, b));

test('clean batches (first, middle, last, whole body) give the strict reader’s counts and cross-row values', () => {
  for (const [text, first, last] of [
    [batch(rows, true, false), true, false],
    [batch(messages, false, false), false, false],
    [batch(messages, false, true), false, true],
    [batch(rows, true, true), true, true],
    ['[]', true, true],
  ] as const) {
    const fast = agrees(text, first, last);
    assert.ok(fast !== undefined, `clean batch not recognised: ${text.slice(0, 80)}`);
  }
  const whole = agrees(batch(rows, true, true), true, true) as RowBatch;
  assert.deepEqual(whole.counts, [1, 1, 4, 0, 0, 0, 0]);
  assert.deepEqual(whole.values.slice(0, 5), ['acc', 'a', 'example.org', 'c1', 'acc']);
  // For an import: every value, the body's escapes decoded.
  const all = made(
    checkJsonBatch(Buffer.from(batch(rows, true, true)), true, true, true) as RowBatch,
  );
  assert.deepEqual(all.values.slice(0, 6), ['acc', 'a', 'example.org', 194, '{"x":"1"}', 'c1']);
  assert.ok(all.values.includes(BODIES[1] as string) && all.values.includes(BODIES[3] as string));
  // Taken a few rows at a time (as an import binds them): the same rows, values and counts.
  const spanned = checkJsonBatch(
    Buffer.from(batch(rows, true, true)),
    true,
    true,
    true,
  ) as RowBatch;
  assert.ok(spanned.spans !== undefined, 'all values come as spans over the bytes');
  for (const size of [1, 2, 4, 100]) {
    const slices = [...slicesOf(spanned, size)];
    assert.deepEqual(
      slices.flatMap((slice) => slice.values),
      all.values,
    );
    assert.deepEqual(
      slices.flatMap((slice) => Array.from(slice.shape)),
      Array.from(all.shape),
    );
    const counts = all.counts.map((_, t) =>
      slices.reduce((n, slice) => n + (slice.counts[t] ?? 0), 0),
    );
    assert.deepEqual(counts, all.counts);
    assert.ok(slices.every((slice) => rowCount(slice) <= size && slice.spans === undefined));
  }
});

test('unusual or hostile batches are left to the strict reader', () => {
  const variants: [string, string][] = [
    ['whitespace', batch(rows, true, true).replace('"values":{', '"values": {')],
    ['a fraction', batch(rows, true, true).replace('"options":194', '"options":194.0')],
    ['an exponent', batch(rows, true, true).replace('"options":194', '"options":1e2')],
    ['leading zeros', batch(rows, true, true).replace('"options":194', '"options":0194')],
    ['true', batch(rows, true, true).replace('"options":194', '"options":true')],
    ['an object value', batch(rows, true, true).replace('"options":194', '"options":{}')],
    ['a duplicate column', batch(rows, true, true).replace('"read":"1"', '"read":"1","read":"2"')],
    [
      'columns differing in case',
      batch(rows, true, true).replace('"oob":null', '"OOB":null,"oob":null'),
    ],
    ['an escaped name', batch(rows, true, true).replace('"body":', '"b\\u006fdy":')],
    ['a bad name', batch(rows, true, true).replace('"body":', '"bo-dy":')],
    ['__proto__', batch(rows, true, true).replace('"oob":null', '"__proto__":null')],
    [
      'an unknown table',
      batch(rows, true, true).replace('"table":"conversations"', '"table":"contacts"'),
    ],
    [
      'an escaped table',
      batch(rows, true, true).replace('"table":"conversations"', '"table":"c\\u006fnversations"'),
    ],
    ['a lone high surrogate', batch(messages, false, true).replace('plain text', 'a\\ud83d b')],
    ['a lone low surrogate', batch(messages, false, true).replace('plain text', 'a\\ude00 b')],
    ['reversed surrogates', batch(messages, false, true).replace('plain text', '\\ude00\\ud83d')],
    ['a control character', batch(messages, false, true).replace('plain text', 'a\u0001b')],
    ['a bad escape', batch(messages, false, true).replace('plain text', 'a\\x41')],
    ['a short \\u', batch(messages, false, true).replace('plain text', 'a\\u12')],
    ['a cut inside a value', batch(messages, false, false).slice(0, 150)],
    ['no closing ]', batch(messages, false, false)],
    ['data after ]', `${batch(rows, true, true)}x`],
    ['a trailing comma', batch(rows, true, true).replace(/]$/, ',]')],
    ['a BOM', `\ufeff${batch(rows, true, true)}`],
    [
      'keys in another order',
      batch(rows, true, true).replace('{"table":"accounts","values":', '{"values":'),
    ],
  ];
  for (const [what, text] of variants) {
    const first = text.startsWith('[') || text.startsWith('\ufeff');
    const last = what !== 'a cut inside a value';
    assert.equal(agrees(text, first, last), undefined, what);
  }
  // Surrogates in pairs, escaped or not, and big numbers are clean; the values are exact.
  const pair = batch(messages, false, true).replace('plain text', 'a\\ud83d\\ude00b');
  assert.equal((agrees(pair, false, true) as RowBatch).counts[2], 4);
  const big = batch(rows, true, true).replace('"uuid":"acc"', '"uuid":12345678901234567890');
  assert.equal((agrees(big, true, true) as RowBatch).values[0], 12345678901234567890n);
  assert.equal(checkJsonBatch(Buffer.from([0x5b, 0xff, 0x5d]), true, true), undefined);
});

test('random damage: the fast check never calls a batch clean that the strict reader reads otherwise', () => {
  const text = batch(rows, true, true);
  const bytes = Buffer.from(text);
  const INTERESTING = Buffer.from(' \t\n"\\{}[],:0123456789-+.eEnulltrufas_\u0000xA');
  let seed = 17;
  const random = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  let fastCount = 0;
  for (let round = 0; round < 4000; round++) {
    const copy = Buffer.from(bytes);
    const edits = 1 + random(3);
    let mutated: Buffer = copy;
    for (let e = 0; e < edits; e++) {
      const at = random(mutated.length);
      const b = INTERESTING[random(INTERESTING.length)] as number;
      const kind = random(3);
      if (kind === 0) mutated[at] = b;
      else if (kind === 1)
        mutated = Buffer.concat([mutated.subarray(0, at), Buffer.from([b]), mutated.subarray(at)]);
      else mutated = Buffer.concat([mutated.subarray(0, at), mutated.subarray(at + 1)]);
    }
    const fast = checkJsonBatch(mutated, true, true);
    if (fast !== undefined) {
      fastCount++;
      const reply = readBatch({
        id: 0,
        version: 2,
        bytes: mutated,
        first: true,
        last: true,
        values: 'for-check',
      });
      assert.ok(
        reply.ok,
        `fast check accepted what the strict reader refuses: ${mutated.toString()}`,
      );
      assert.deepEqual(plain(fast), plain(reply.batch), mutated.toString());
      const all = checkJsonBatch(mutated, true, true, true);
      assert.deepEqual(plain(all), plain(strict(mutated, true, true, true)), mutated.toString());
    }
  }
  // Damage inside a string value leaves the batch clean: the fast path was exercised.
  assert.ok(fastCount > 100, `only ${fastCount} damaged batches were clean`);
});
