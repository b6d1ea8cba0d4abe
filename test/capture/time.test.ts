/**
 * 64-bit pcapng timestamps split into seconds + nanoseconds without BigInt,
 * checked against BigInt arithmetic for every resolution the reader accepts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitTimestamp, ts, tsResolution } from '../../src/capture/time.js';

/** Reference: floor(count / units) seconds and floor(remainder * 1e9 / units) ns. */
function reference(count: bigint, code: number): [bigint, bigint] {
  const exp = BigInt(code & 0x7f);
  const units = code & 0x80 ? 1n << exp : 10n ** exp;
  return [count / units, ((count % units) * 1_000_000_000n) / units];
}

const SUPPORTED = [
  ...Array.from({ length: 16 }, (_, e) => e), // 10^-0 .. 10^-15
  ...Array.from({ length: 54 }, (_, e) => 0x80 | e), // 2^-0 .. 2^-53
];

function split(count: bigint, code: number): [number, number] {
  const r = tsResolution(code);
  if (!r) throw new Error(`resolution 0x${code.toString(16)} unsupported`);
  const lo = count & 0xffffffffn;
  // The low word as the pcapng reader passes it (its bits as a signed integer), then unsigned.
  splitTimestamp(Number(count >> 32n), Number(BigInt.asIntN(32, lo)), r);
  const signed: [number, number] = [ts.sec, ts.nsec];
  splitTimestamp(Number(count >> 32n), Number(lo), r);
  expect([ts.sec, ts.nsec], `count ${count}: low word signed and unsigned`).toEqual(signed);
  return signed;
}

describe('tsResolution', () => {
  it('decodes decimal and binary codes', () => {
    expect(tsResolution(6)).toMatchObject({ units: 1e6, decimal: true, exp: 6 });
    expect(tsResolution(9)).toMatchObject({ units: 1e9, decimal: true, exp: 9 });
    expect(tsResolution(0x88)).toMatchObject({ units: 256, decimal: false, exp: 8 });
    expect(tsResolution(0)).toMatchObject({ units: 1 });
    for (const code of SUPPORTED) {
      const r = tsResolution(code)!;
      expect(r.factors.reduce((a, b) => a * b, 1)).toBe(r.units);
      expect(r.factors.every((f) => f < 2 ** 21)).toBe(true);
    }
  });

  it('refuses resolutions whose arithmetic would not be exact', () => {
    expect(tsResolution(16)).toBeNull();
    expect(tsResolution(0x7f)).toBeNull();
    expect(tsResolution(0x80 | 54)).toBeNull();
    expect(tsResolution(0xff)).toBeNull();
  });
});

describe('splitTimestamp', () => {
  it('matches BigInt arithmetic at the edges of every resolution', () => {
    const edges = [0n, 1n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    for (const code of SUPPORTED) {
      const exp = BigInt(code & 0x7f);
      const units = code & 0x80 ? 1n << exp : 10n ** exp;
      const around = [units - 1n, units, units + 1n, units * 1_700_000_000n + units - 1n].filter((x) => x < 2n ** 64n);
      for (const count of [...edges, ...around]) {
        const [sec, nsec] = reference(count, code);
        if (sec >= 2n ** 53n) continue; // seconds themselves beyond a double: only 10^0 / 2^0
        expect(split(count, code), `count ${count} code 0x${code.toString(16)}`).toEqual([Number(sec), Number(nsec)]);
      }
    }
  });

  it('matches BigInt arithmetic for random counts (fast-check)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.constantFrom(...SUPPORTED.filter((c) => (c & 0x7f) >= 4)), (count, code) => {
        const [sec, nsec] = reference(count, code);
        expect(split(count, code)).toEqual([Number(sec), Number(nsec)]);
      }),
      { numRuns: 20_000 },
    );
  });

  it('matches BigInt arithmetic for counts the one-division split takes (10^-0 .. 10^-9, below 2^(53+k)), and at its edge', () => {
    const decimal = Array.from({ length: 10 }, (_, k) => k);
    fc.assert(
      fc.property(fc.constantFrom(...decimal), fc.bigInt({ min: 0n, max: 2n ** 62n - 1n }), (k, n) => {
        const count = n % 2n ** BigInt(53 + k);
        const [sec, nsec] = reference(count, k);
        expect(split(count, k)).toEqual([Number(sec), Number(nsec)]);
      }),
      { numRuns: 20_000 },
    );
    for (const k of decimal) {
      const hiBelow = 2n ** BigInt(21 + k);
      for (const hi of [hiBelow - 1n, hiBelow, hiBelow + 1n]) {
        for (const lo of [0n, 1n, 2n ** 32n - 1n, 123_456_789n]) {
          const count = (hi << 32n) | lo;
          const [sec, nsec] = reference(count, k);
          expect(split(count, k), `count ${count} 10^-${k}`).toEqual([Number(sec), Number(nsec)]);
        }
      }
    }
  });

  it('is exact for binary resolutions finer than 2^-32 (regression: used to lose a nanosecond)', () => {
    // 0xa1 = 2^-33 units; flooring to 2^-32 first gave ...890 here.
    const count = (5_735_480n << 32n) | 1_255_967_761n;
    expect(split(count, 0xa1)).toEqual([2867740, 146_213_891]);
    expect(reference(count, 0xa1)).toEqual([2867740n, 146_213_891n]);
  });
});
