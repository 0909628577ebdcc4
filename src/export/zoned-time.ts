/**
 * Wall-clock time of a message in a chosen time zone, fast enough for millions of messages: the
 * zone's UTC offset is looked up with `Intl.DateTimeFormat` once per quarter hour of time and cached
 * (zone transitions happen on quarter-hour boundaries), the rest is plain arithmetic.
 */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC at that instant. */
  offsetMinutes: number;
}

import { TimeZoneError } from './errors.js';

const QUARTER_HOUR = 15 * 60 * 1000;

export { TimeZoneError };

/** The zone the computer runs in, e.g. `Europe/Berlin`. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export class ZonedClock {
  readonly timeZone: string;
  private readonly formatter: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();

  /** Throws `TimeZoneError` for a zone name the runtime doesn't know. */
  constructor(timeZone: string = localTimeZone()) {
    try {
      this.formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
        era: 'short',
      });
    } catch {
      throw new TimeZoneError(`unknown time zone "${timeZone}"`);
    }
    this.timeZone = this.formatter.resolvedOptions().timeZone;
  }

  /** Minutes east of UTC in this zone at `ms` (milliseconds since the epoch). */
  offsetMinutes(ms: number): number {
    const bucket = Math.floor(ms / QUARTER_HOUR);
    const cached = this.offsets.get(bucket);
    if (cached !== undefined) return cached;
    const start = bucket * QUARTER_HOUR;
    const parts: Record<string, string> = {};
    for (const p of this.formatter.formatToParts(new Date(start))) parts[p.type] = p.value;
    let year = Number(parts.year);
    if (parts.era === 'BC' || parts.era === 'B') year = 1 - year;
    const asUtc = Date.UTC(
      year,
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    );
    const offset = Math.round((asUtc - start) / 60000);
    if (this.offsets.size > 200_000) this.offsets.clear();
    this.offsets.set(bucket, offset);
    return offset;
  }

  wallTime(ms: number): WallTime {
    const offsetMinutes = this.offsetMinutes(ms);
    const d = new Date(ms + offsetMinutes * 60000);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      second: d.getUTCSeconds(),
      millisecond: d.getUTCMilliseconds(),
      offsetMinutes,
    };
  }

  /** `YYYY-MM-DD` */
  date(ms: number): string {
    return formatDate(this.wallTime(ms));
  }

  /** `HH:mm` */
  time(ms: number): string {
    const t = this.wallTime(ms);
    return `${pad2(t.hour)}:${pad2(t.minute)}`;
  }

  /** ISO-8601 with the zone's offset, e.g. `2020-01-01T01:00:01.000+01:00` (`Z` for UTC). */
  iso(ms: number): string {
    const t = this.wallTime(ms);
    const sign = t.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(t.offsetMinutes);
    const offset =
      t.offsetMinutes === 0 && this.timeZone === 'UTC'
        ? 'Z'
        : `${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
    return (
      `${formatDate(t)}T${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}` +
      `.${String(t.millisecond).padStart(3, '0')}${offset}`
    );
  }
}

function formatDate(t: WallTime): string {
  const y = t.year < 0 ? `-${String(-t.year).padStart(6, '0')}` : String(t.year).padStart(4, '0');
  return `${y}-${pad2(t.month)}-${pad2(t.day)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
