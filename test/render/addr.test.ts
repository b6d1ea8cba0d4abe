/**
 * IPv6 text written and read without ipaddr.js (the report writes and reads
 * thousands of pod addresses), held to what ipaddr.js says over generated
 * addresses: zero runs of every length and place (where RFC 5952's "::"
 * choice is made), every textual form fast-check knows, and strings of
 * address characters that are mostly not addresses.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { ipv6BytesString, ipv6String, parseIpv6Groups } from '../../src/render/addr.js';

/** A 16-bit group, zero half the time (runs of zeros are what the formatting decides on). */
const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 1, max: 0xf }), fc.integer({ min: 0, max: 0xffff }));
const eightGroups = fc.array(group, { minLength: 8, maxLength: 8 });

const words = (g: number[]): Uint32Array => Uint32Array.from([0, 1, 2, 3], (i) => ((g[2 * i]! << 16) | g[2 * i + 1]!) >>> 0);
const bytes = (g: number[]): number[] => g.flatMap((x) => [x >>> 8, x & 255]);

/** Text made of what addresses are made of: hex digits, ":" and "." in any order. */
const addressish = fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFg:.%/'.split('')), maxLength: 45 });

describe('ipv6String', () => {
  it('writes what ipaddr.js toRFC5952String writes, from words and from bytes', () => {
    fc.assert(
      fc.property(eightGroups, (g) => {
        const want = new ipaddr.IPv6(g).toRFC5952String();
        expect(ipv6String(words(g))).toBe(want);
        expect(ipv6BytesString(bytes(g))).toBe(want);
      }),
      { numRuns: 5000 },
    );
  });

  it('compresses the first of two equally long zero runs, and never a single zero group', () => {
    expect(ipv6String(words([1, 0, 0, 2, 0, 0, 3, 4]))).toBe('1::2:0:0:3:4');
    expect(ipv6String(words([1, 0, 0, 2, 0, 0, 0, 3]))).toBe('1:0:0:2::3');
    expect(ipv6String(words([1, 0, 2, 3, 4, 5, 6, 7]))).toBe('1:0:2:3:4:5:6:7');
    expect(ipv6String(words([0, 0, 0, 0, 0, 0, 0, 0]))).toBe('::');
    expect(ipv6String(words([0, 0, 0, 0, 0, 0, 0, 1]))).toBe('::1');
    expect(ipv6String(words([0xfe80, 0, 0, 0, 0, 0, 0, 0]))).toBe('fe80::');
    expect(ipv6String(words([0xfd00, 0xac10, 0, 0, 0, 0, 0, 0xb]))).toBe('fd00:ac10::b');
  });
});

describe('parseIpv6Groups', () => {
  /** What the parser says, checked against ipaddr.js: same bytes when it reads the text. */
  const agrees = (text: string): boolean => {
    const out = new Uint8Array(16);
    const read = parseIpv6Groups(text, out);
    if (read) {
      expect(ipaddr.IPv6.isValid(text), text).toBe(true);
      expect([...out], text).toEqual(ipaddr.IPv6.parse(text).toByteArray());
    }
    return read;
  };

  it('reads back every address ipv6String writes', () => {
    fc.assert(
      fc.property(eightGroups, (g) => {
        expect(agrees(ipv6String(words(g)))).toBe(true);
        expect(agrees(new ipaddr.IPv6(g).toNormalizedString())).toBe(true);
        expect(agrees(g.map((x) => x.toString(16).padStart(4, '0')).join(':'))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('reads the hexadecimal forms of any IPv6 text as ipaddr.js does, and leaves the rest to it', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        // fast-check writes some with an IPv4 tail ("::ffff:1.2.3.4"): those are ipaddr.js's.
        expect(agrees(text)).toBe(!text.includes('.'));
      }),
      { numRuns: 3000 },
    );
  });

  it('never reads text ipaddr.js rejects, nor reads it differently', () => {
    fc.assert(fc.property(addressish, (text) => void agrees(text)), { numRuns: 20000 });
    for (const bad of ['', ':', ':::', '1:::2', '1::2::3', ':1::', '1::2:', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4::5:6:7:8', '12345::', 'g::', '::ffff:1.2.3.4', 'fe80::1%eth0', '::/0']) {
      expect(agrees(bad), bad).toBe(false);
    }
    for (const good of ['::', '::1', '1::', '1:2:3:4:5:6:7::', '::2:3:4:5:6:7:8', 'FD00::AB', '1:2:3:4:5:6:7:8']) expect(agrees(good), good).toBe(true);
  });
});
