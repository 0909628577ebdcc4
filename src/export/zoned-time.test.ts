import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TimeZoneError, ZonedClock } from './zoned-time.js';

test('ISO-8601 with the zone offset, across a DST change', () => {
  const berlin = new ZonedClock('Europe/Berlin');
  // 2020-03-29 00:59:59.999 UTC is 01:59:59.999 CET; one millisecond later it is 03:00 CEST.
  assert.equal(berlin.iso(Date.UTC(2020, 2, 29, 0, 59, 59, 999)), '2020-03-29T01:59:59.999+01:00');
  assert.equal(berlin.iso(Date.UTC(2020, 2, 29, 1, 0, 0, 0)), '2020-03-29T03:00:00.000+02:00');
  assert.equal(new ZonedClock('UTC').iso(0), '1970-01-01T00:00:00.000Z');
  assert.equal(new ZonedClock('Asia/Kolkata').iso(0), '1970-01-01T05:30:00.000+05:30');
  assert.equal(new ZonedClock('America/St_Johns').time(Date.UTC(2020, 0, 1, 12, 0)), '08:30');
});

test('date and time agree with Intl for any instant and zone', () => {
  const zones = [
    'Europe/Berlin',
    'America/New_York',
    'Australia/Lord_Howe',
    'Asia/Kathmandu',
    'Pacific/Apia',
  ];
  const clocks = zones.map((z) => new ZonedClock(z));
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 4102444800000 }),
      fc.integer({ min: 0, max: zones.length - 1 }),
      (ms, zi) => {
        const clock = clocks[zi]!;
        const parts = Object.fromEntries(
          new Intl.DateTimeFormat('en-CA', {
            timeZone: zones[zi],
            hourCycle: 'h23',
            year: 'numeric',
            month: '2-digit',
            day: '2-digit',
            hour: '2-digit',
            minute: '2-digit',
          })
            .formatToParts(new Date(ms))
            .map((p) => [p.type, p.value]),
        );
        assert.equal(clock.date(ms), `${parts.year}-${parts.month}-${parts.day}`);
        assert.equal(clock.time(ms), `${parts.hour}:${parts.minute}`);
        assert.equal(Date.parse(clock.iso(ms)), ms);
      },
    ),
    { numRuns: 3000 },
  );
});

test('an unknown zone is refused', () => {
  assert.throws(() => new ZonedClock('Mars/Olympus'), TimeZoneError);
});
