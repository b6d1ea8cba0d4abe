/**
 * TextBytes writes what the string formatters and JSON.stringify write, byte
 * for byte: `podpath packets --json` is made with it, and its text is the
 * --json contract.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { daySecond, hex16, ipv4String, ipv6String, isoSecond, macString } from '../../src/render/addr.js';
import { TextBytes } from '../../src/render/text-bytes.js';

/** A packet's ISO time as --json writes it ("time"): isoSecond's text, the nanoseconds, Z. */
const isoTime = (sec: number, nsec: number): string => (isoSecond(sec) === '' ? '' : `${isoSecond(sec)}${String(nsec).padStart(9, '0')}Z`);

/** A packet's time of day as a text line writes it: daySecond's text, six digits of the fraction. */
const timeOfDay = (sec: number, nsec: number): string => daySecond(sec) + String(nsec).padStart(9, '0').slice(0, 6);

/** What `write` puts in a fresh writer (a tiny one, so that it has to grow), as a string. */
function written(write: (w: TextBytes) => void): string {
  const w = new TextBytes(1);
  write(w);
  return w.takeString();
}

describe('TextBytes', () => {
  it('writes numbers as JSON.stringify does: integers, fractions, negatives, huge, NaN, the infinities', () => {
    const edge = [0, -0, 1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -1, 0.5, 1700000000.000119, 1e21, NaN, Infinity, -Infinity];
    for (const v of edge) expect(written((w) => w.num(v)), String(v)).toBe(JSON.stringify(v));
    fc.assert(
      fc.property(fc.oneof(fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), fc.integer(), fc.double()), (v) => {
        expect(written((w) => w.num(v))).toBe(JSON.stringify(v));
      }),
    );
  });

  it('writes numbers as String does (the text lines), and drops bytes from the end', () => {
    const edge = [0, -0, 1, 9, 10, 99, 100, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 53, -1, 0.5, 1e21, NaN, Infinity, -Infinity];
    for (const v of edge) expect(written((w) => w.dec(v)), String(v)).toBe(String(v));
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer(), fc.double()), fc.nat(12), (v, n) => {
        const text = `ab ${v}`;
        const cut = Math.min(n, text.length);
        const got = written((w) => {
          w.ascii('ab ');
          w.dec(v);
          w.drop(cut);
        });
        expect(got).toBe(text.slice(0, text.length - cut));
      }),
    );
  });

  it('writes addresses, MACs, hex16 and nine-digit fractions as the string formatters do', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: -5, max: 0x1ffff }), (a, m, h) => {
        expect(written((w) => w.ipv4(a))).toBe(ipv4String(a));
        expect(written((w) => w.mac(m))).toBe(macString(m));
        expect(written((w) => w.hex16(h))).toBe(hex16(h));
      }),
    );
    expect(written((w) => w.mac(-1))).toBe(macString(-1));
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 4, maxLength: 4 }), (words) => {
        const a = Uint32Array.from(words);
        expect(written((w) => w.ipv6(a))).toBe(ipv6String(a));
      }),
    );
    for (const n of [0, 7, 119000, 999999999, 1.5, 1e9, -3]) expect(written((w) => w.nine(n)), String(n)).toBe(String(n).padStart(9, '0'));
  });

  it('writes any string as UTF-8, after ASCII, and hands the bytes over whole', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), (s, t) => {
        const w = new TextBytes(2);
        w.ascii('{"a":');
        w.text(JSON.stringify(s));
        w.byte(44);
        w.text(JSON.stringify(t));
        const bytes = w.take();
        expect(bytes.toString('utf8')).toBe(`{"a":${JSON.stringify(s)},${JSON.stringify(t)}`);
        expect(w.length).toBe(0);
      }),
    );
  });
});

describe('time text, one Date per second', () => {
  it('gives the text a fresh Date gives, whatever order the seconds come in', () => {
    const fresh = (sec: number, nsec: number): [string, string] => {
      const d = new Date(sec * 1000);
      const p = (x: number): string => String(x).padStart(2, '0');
      return [
        Number.isNaN(d.getTime()) ? '' : d.toISOString().slice(0, 20) + String(nsec).padStart(9, '0') + 'Z',
        `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${String(nsec).padStart(9, '0').slice(0, 6)}`,
      ];
    };
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 1_700_000_000, max: 1_700_000_003 }), fc.integer({ min: 0, max: 999_999_999 })), { minLength: 1, maxLength: 20 }),
        (times) => {
          for (const [sec, nsec] of times) expect([isoTime(sec, nsec), timeOfDay(sec, nsec)]).toEqual(fresh(sec, nsec));
        },
      ),
    );
    // A time Date cannot hold: no ISO text.
    expect(isoTime(9e15, 5)).toBe('');
    expect(isoTime(1_700_000_000, 5)).toBe('2023-11-14T22:13:20.000000005Z');
  });
});
