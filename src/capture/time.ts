/**
 * Exact 64-bit timestamp arithmetic without BigInt (which would allocate per
 * packet). pcapng timestamps are a 64-bit count of 10^-k or 2^-k second units;
 * at nanosecond resolution today's count is about 1.7e18, beyond the 2^53 a
 * double holds exactly, so the count is divided in 16-bit digits.
 */

export interface TsResolution {
  /** Units per second. */
  units: number;
  /** Factors (each below 2^21) whose product is `units`, for exact long division. */
  factors: number[];
  /** Turns the fractional units into nanoseconds. */
  decimal: boolean;
  exp: number;
  /**
   * The common resolutions, 10^-k for k <= 9 (microseconds, nanoseconds): the
   * count shifted right by k is below 2^53 while the high word is below
   * `fastHiBelow`, and 10^k = 2^k * 5^k, so one division by 5^k splits it
   * exactly. 0 for the other resolutions (long division in 16-bit digits).
   */
  fastHiBelow: number;
  /** For that split: 2^(32-k), 2^k, 5^k and 10^(9-k). */
  fastHiScale: number;
  fastLow: number;
  fastFive: number;
  fastToNs: number;
}

/** Decode `if_tsresol`: MSB clear means 10^-v, set means 2^-(v & 0x7f). Null when unsupported. */
export function tsResolution(code: number): TsResolution | null {
  const binary = (code & 0x80) !== 0;
  const exp = code & 0x7f;
  if (binary ? exp > 53 : exp > 15) return null;
  const factors: number[] = [];
  let left = exp;
  const step = binary ? 20 : 6;
  while (left > 0) {
    const e = Math.min(step, left);
    factors.push(binary ? 2 ** e : 10 ** e);
    left -= e;
  }
  const fast = !binary && exp <= 9;
  return {
    units: binary ? 2 ** exp : 10 ** exp,
    factors,
    decimal: !binary,
    exp,
    fastHiBelow: fast ? 2 ** (21 + exp) : 0,
    fastHiScale: 2 ** (32 - exp),
    fastLow: 2 ** exp,
    fastFive: 5 ** exp,
    fastToNs: fast ? 10 ** (9 - exp) : 0,
  };
}

export const MICROSECONDS: TsResolution = tsResolution(6)!;
export const NANOSECONDS: TsResolution = tsResolution(9)!;

/** Results of `splitTimestamp`; module state so the hot path allocates nothing. */
export const ts = { sec: 0, nsec: 0 };

/**
 * Split the 64-bit unit count hi:lo into whole seconds and nanoseconds. `lo` may come
 * signed (`i32`): only its bits are used. Callers pass it so, as V8 passes a signed 32-bit
 * integer unboxed where a low word above 2^31 would be a heap number on every packet.
 */
export function splitTimestamp(hi: number, lo: number, r: TsResolution): void {
  if (hi < r.fastHiBelow) {
    // count = c * 2^k + (lo's low k bits), c exact below 2^53; floor(c / 5^k) is exact there
    // (c / 5^k is at least 1 / 5^k from the next integer, more than half its rounding step).
    const low = r.fastLow;
    const c = hi * r.fastHiScale + (lo >>> r.exp);
    const five = r.fastFive;
    const sec = Math.floor(c / five);
    ts.sec = sec;
    ts.nsec = ((c - sec * five) * low + (lo & (low - 1))) * r.fastToNs;
    return;
  }
  splitSlowly(hi, lo, r);
}

/** splitTimestamp for the other resolutions and counts: apart, so that the common case stays small enough to inline. */
function splitSlowly(hi: number, lo: number, r: TsResolution): void {
  let d1 = hi >>> 16;
  let d2 = hi & 0xffff;
  let d3 = lo >>> 16;
  let d4 = lo & 0xffff;
  // frac = r0 + f0 * (r1 + f1 * (r2 ...)); kept exact while below 2^53,
  // which holds for every resolution tsResolution accepts.
  let frac = 0;
  let scale = 1;
  for (let i = 0; i < r.factors.length; i++) {
    const f = r.factors[i]!;
    let rem = d1 % f;
    d1 = (d1 - rem) / f;
    let cur = rem * 65536 + d2;
    rem = cur % f;
    d2 = (cur - rem) / f;
    cur = rem * 65536 + d3;
    rem = cur % f;
    d3 = (cur - rem) / f;
    cur = rem * 65536 + d4;
    rem = cur % f;
    d4 = (cur - rem) / f;
    frac += rem * scale;
    scale *= f;
  }
  ts.sec = ((d1 * 65536 + d2) * 65536 + d3) * 65536 + d4;
  if (r.decimal) {
    ts.nsec = r.exp <= 9 ? frac * 10 ** (9 - r.exp) : Math.floor(frac / 10 ** (r.exp - 9));
  } else if (r.exp <= 32) {
    // frac * 1e9 = frac * 2^9 * 1953125: the odd part stays below 2^53, so exact.
    ts.nsec = Math.floor((frac * 1e9) / r.units);
  } else {
    // Finer than 2^-32, frac * 1e9 passes 2^53, and flooring frac to 2^-32
    // units first loses up to a nanosecond. With frac = q * 2^m + rest
    // (m = exp - 32) and q * 1953125 = n * 2^23 + s, frac * 1e9 / 2^exp
    // = n + (s * 2^m + rest * 1953125) / 2^(exp - 9), every term exact below 2^53.
    const m = r.exp - 32;
    const q = Math.floor(frac / 2 ** m);
    const rest = frac - q * 2 ** m;
    const big = q * 1953125;
    const n = Math.floor(big / 8388608);
    ts.nsec = n + Math.floor(((big - n * 8388608) * 2 ** m + rest * 1953125) / 2 ** (r.exp - 9));
  }
}
