/**
 * What SQLite 3.40 — the SQLite of Debian 12 and of the Android releases Conversations runs on — does
 * with an integer literal beyond 64 bits: it reads it as a REAL (`sqlite3AtoF`), and a TEXT column
 * stores that REAL as text (`printf("%!.15g")`). Both steps compute in `long double`, which on x86-64
 * is the 80-bit extended format (64-bit significand), so their result is not JavaScript's
 * correctly rounded `Number(…)` / `toPrecision(15)`: near a tie the 15th digit can differ. This
 * module follows SQLite's steps with exact arithmetic, rounding after each step as the hardware does.
 *
 * Facts from SQLite 3.40.1's `util.c` (`sqlite3AtoF`, `sqlite3Pow10`) and `printf.c` (`etGENERIC`);
 * 3.43 replaced both algorithms.
 */

/** A non-negative dyadic number `m · 2^e`. */
interface Dyadic {
  m: bigint;
  e: number;
}

const EXTENDED_BITS = 64;
const DOUBLE_BITS = 53;
const LARGEST_INT64 = 2n ** 63n - 1n;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** `num / den · 2^shift`, rounded to `bits` significant bits, ties to even. */
function round(num: bigint, den: bigint, shift: number, bits: number): Dyadic {
  if (num === 0n) return { m: 0n, e: 0 };
  let s = bits - (bitLength(num) - bitLength(den));
  const quotient = (k: number): [bigint, bigint] =>
    k >= 0
      ? [(num << BigInt(k)) / den, (num << BigInt(k)) % den]
      : [num / (den << BigInt(-k)), num % (den << BigInt(-k))];
  let [q, r] = quotient(s);
  while (bitLength(q) > bits) [q, r] = quotient(--s);
  while (bitLength(q) < bits) [q, r] = quotient(++s);
  const divisor = s >= 0 ? den : den << BigInt(-s);
  const twice = 2n * r;
  if (twice > divisor || (twice === divisor && (q & 1n) === 1n)) q += 1n;
  if (bitLength(q) > bits) {
    q >>= 1n;
    s -= 1;
  }
  return { m: q, e: shift - s };
}

function exact(n: bigint, bits = EXTENDED_BITS): Dyadic {
  return round(n, 1n, 0, bits);
}

function fromDouble(x: number): Dyadic {
  if (x === 0) return { m: 0n, e: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  return biased === 0 ? { m: fraction, e: -1074 } : { m: fraction | (1n << 52n), e: biased - 1075 };
}

function toDouble(x: Dyadic): number {
  const d = round(x.m, 1n, x.e, DOUBLE_BITS);
  return Number(d.m) * 2 ** d.e;
}

function mul(a: Dyadic, b: Dyadic): Dyadic {
  return round(a.m * b.m, 1n, a.e + b.e, EXTENDED_BITS);
}

function div(a: Dyadic, b: Dyadic): Dyadic {
  return round(a.m, b.m, a.e - b.e, EXTENDED_BITS);
}

function aligned(a: Dyadic, b: Dyadic): [bigint, bigint, number] {
  const e = Math.min(a.e, b.e);
  return [a.m << BigInt(a.e - e), b.m << BigInt(b.e - e), e];
}

function add(a: Dyadic, b: Dyadic): Dyadic {
  const [x, y, e] = aligned(a, b);
  return round(x + y, 1n, e, EXTENDED_BITS);
}

/** `a - b` for `a >= b`. */
function sub(a: Dyadic, b: Dyadic): Dyadic {
  const [x, y, e] = aligned(a, b);
  return round(x - y, 1n, e, EXTENDED_BITS);
}

function compare(a: Dyadic, b: Dyadic): number {
  const [x, y] = aligned(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The integer part of a value below 2^53. */
function truncate(a: Dyadic): number {
  return Number(a.e >= 0 ? a.m << BigInt(a.e) : a.m >> BigInt(-a.e));
}

const TEN = fromDouble(10);

/** `sqlite3Pow10`: 10^e by repeated squaring, each step rounded. */
function pow10(e: number): Dyadic {
  let x = TEN;
  let r = exact(1n);
  for (;;) {
    if (e & 1) r = mul(r, x);
    e >>= 1;
    if (e === 0) return r;
    x = mul(x, x);
  }
}

/**
 * The REAL SQLite 3.40 reads from a decimal integer literal (digits only, any length; negative
 * values are the literal under a unary minus).
 */
export function sqliteLiteralReal(value: bigint): number {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString();
  let s = 0n;
  let i = 0;
  while (i < digits.length && s < (LARGEST_INT64 - 9n) / 10n)
    s = s * 10n + BigInt(digits.charCodeAt(i++) - 48);
  let e = digits.length - i;
  while (e > 0 && s < LARGEST_INT64 / 10n) {
    s *= 10n;
    e--;
  }
  let result: number;
  if (s === 0n) result = 0;
  else if (e === 0) result = toDouble({ m: s, e: 0 });
  else if (e >= 342) result = Infinity;
  else if (e > 307) result = toDouble(mul(exact(s), pow10(e - 308))) * 1e308;
  else result = toDouble(mul(exact(s), pow10(e)));
  return negative ? -result : result;
}

/** A REAL as text the way SQLite 3.40 stores it in a TEXT column (`%!.15g`). */
export function sqliteRealText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  const prefix = value < 0 ? '-' : '';
  if (!Number.isFinite(value)) return `${prefix}Inf`;
  let real = fromDouble(Math.abs(value));
  let precision = 14;
  const rounder = fromDouble(5e-5 * 1e-10);
  let exp = 0;
  if (real.m !== 0n) {
    let scale = exact(1n);
    for (const [step, by] of [
      [1e100, 100],
      [1e10, 10],
      [10, 1],
    ] as const) {
      const factor = fromDouble(step);
      while (compare(real, mul(factor, scale)) >= 0 && exp <= 350) {
        scale = mul(scale, factor);
        exp += by;
      }
    }
    real = div(real, scale);
    const one = exact(1n);
    const tiny = fromDouble(1e-8);
    while (compare(real, tiny) < 0) {
      real = mul(real, fromDouble(1e8));
      exp -= 8;
    }
    while (compare(real, one) < 0) {
      real = mul(real, TEN);
      exp--;
    }
  }
  real = add(real, rounder);
  if (compare(real, TEN) >= 0) {
    real = mul(real, fromDouble(0.1));
    exp++;
  }
  const scientific = exp < -4 || exp > precision;
  let before = scientific ? 0 : exp;
  if (!scientific) precision -= exp;
  let significant = 26;
  const digit = (): string => {
    if (significant <= 0) return '0';
    significant--;
    const d = truncate(real);
    real = mul(sub(real, exact(BigInt(d))), TEN);
    return String(d);
  };
  let text = prefix;
  if (before < 0) text += '0';
  else for (; before >= 0; before--) text += digit();
  text += '.';
  for (before++; before < 0; precision--, before++) text += '0';
  while (precision-- > 0) text += digit();
  text = text.replace(/0+$/, '');
  if (text.endsWith('.')) text += '0';
  if (!scientific) return text;
  const sign = exp < 0 ? '-' : '+';
  return `${text}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
}
