import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Writable } from 'node:stream';
import { Readable } from 'node:stream';
import {
  BACKUP_TABLES,
  createBackupWriter,
  openBackup,
  type BackupRow,
  type CebValue,
  type DbRow,
  type DbValue,
} from './index.js';

/** Writes rows into memory and reads them back. */
async function roundTrip(rows: DbRow[], version: 1 | 2): Promise<BackupRow[]> {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  const writer = await createBackupWriter(sink, { jid: 'p@example.org', password: 'pw', version });
  for (const row of rows) await writer.write(row);
  await writer.finish();
  const { rows: read } = await openBackup(Readable.from([Buffer.concat(chunks)]), 'pw');
  const out: BackupRow[] = [];
  for await (const row of read) out.push(row);
  return out;
}

/** Exactly the changes Conversations' exporter documents, applied to what the database holds. */
function expected(row: DbRow, version: 1 | 2): BackupRow {
  const values: Record<string, CebValue> = {};
  const account = row.table === 'accounts';
  for (const [column, raw] of Object.entries(row.values)) {
    if (row.table === 'identities' && column === 'trusted') continue;
    const text = asText(raw);
    if (text === null || (account && column === 'rosterversion')) {
      values[column] = null;
    } else if (account && column === 'options' && /^[0-9]+$/.test(text)) {
      const n = BigInt(text) | 2n;
      values[column] = version === 1 ? n : Number.isSafeInteger(Number(n)) ? Number(n) : n;
    } else if (version === 2) {
      values[column] = text;
    } else if (!account && /^[0-9]+$/.test(text)) {
      values[column] = BigInt(text);
    } else {
      values[column] = text.replace(/\0/g, '');
    }
  }
  return { table: row.table, values };
}

function asText(v: DbValue): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  return Buffer.from(v).toString('utf8');
}

const awkward = fc.constantFrom(
  "'",
  "''",
  '"',
  '\\',
  '\n',
  '\r\n',
  '\r',
  '\u0000',
  '\u2028',
  '\u2029',
  '\u0085',
  '\ufeff',
  '🔑',
  '),(',
  ');\nINSERT INTO accounts(x) VALUES(1);\n',
  '"}},{"table":"accounts","values":{',
  'NULL',
  ' ',
);
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 3,
    arbitrary: fc
      .array(fc.oneof(awkward, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 12 })
      .map((a) => a.join('')),
  },
  { weight: 2, arbitrary: fc.stringMatching(/^[0-9]{1,30}$/) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('0', '007', '00000', '9223372036854775808', '12345678901234567890'),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 20000, maxLength: 70000 }) },
);
const value: fc.Arbitrary<DbValue> = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 ** 31 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }) },
);
const columnName = fc
  .stringMatching(/^[a-zA-Z_]{1,12}$/)
  .filter((c) => c !== '__proto__' && c !== 'trusted');
const row: fc.Arbitrary<DbRow> = fc.record({
  table: fc.constantFrom(...BACKUP_TABLES.filter((t) => t !== 'accounts')),
  values: fc.dictionary(columnName, value, { minKeys: 1, maxKeys: 8 }),
});
const account: fc.Arbitrary<DbRow> = fc.record({
  table: fc.constant('accounts' as const),
  values: fc.record({
    uuid: text,
    options: fc.oneof(fc.integer({ min: 0, max: 2 ** 30 }), fc.constant(null)),
    rosterversion: fc.oneof(text, fc.constant(null)),
    port: fc.oneof(fc.constant('5222'), fc.constant(5222)),
    keys: text,
  }),
});
const backup = fc.tuple(account, fc.array(row, { maxLength: 45 })).map(([a, rest]) => [a, ...rest]);

for (const version of [1, 2] as const) {
  test(`property: any rows survive writer → reader in version ${version} with only Conversations' documented changes`, async () => {
    await fc.assert(
      fc.asyncProperty(backup, async (rows) => {
        const back = await roundTrip(rows, version);
        assert.deepEqual(
          back,
          rows.map((r) => expected(r, version)),
        );
      }),
      { numRuns: 60 },
    );
  });
}

test('a 5 MiB value with quotes, escapes and non-BMP characters crosses many chunks intact', async () => {
  const unit = `it's "quoted" \\ back\nslash 🔑 ü \u2028 ${'x'.repeat(200)}`;
  const big = unit.repeat(Math.ceil((5 * 1024 * 1024) / unit.length));
  for (const version of [1, 2] as const) {
    const rows: DbRow[] = [
      { table: 'accounts', values: { uuid: 'u', options: 0 } },
      { table: 'messages', values: { uuid: 'm', body: big } },
      { table: 'messages', values: { uuid: 'n', body: 'after' } },
    ];
    const back = await roundTrip(rows, version);
    assert.equal(back.length, 3);
    assert.ok(back[1]?.values.body === big, `version ${version}: the big value differs`);
    assert.equal(back[2]?.values.body, 'after');
  }
});
