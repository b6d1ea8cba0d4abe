/**
 * The report's address answers (pod block of an address, whether it is the
 * block's network address, whether it falls in a list of CIDRs, whether no
 * pod can have it) against
 * ipaddr.js asked directly, over generated addresses: dotted quads as the
 * report writes them, the other IPv4 forms ipaddr.js accepts (octal, hex,
 * fewer parts), and IPv6 in its textual forms.
 */
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { AddrMemo, dottedQuad, notPodAddress, V4Strings } from '../../src/analysis/build-report.js';
import { ipv4String } from '../../src/render/addr.js';

/** What ipaddr.js says, the slow way the report used to ask it. */
function oracle(ip: string, v4Size: number): { block: string; base: boolean } {
  const addr = ipaddr.parse(ip);
  const bits = addr.kind() === 'ipv4' ? v4Size : Math.min(128, v4Size + 96);
  const net = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(`${ip}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${ip}/${bits}`);
  return { block: `${net.toString()}/${bits}`, base: net.toString() === addr.toString() };
}

const anyAddress = fc.oneof(fc.ipV4(), fc.ipV4Extended(), fc.ipV6());

describe('AddrMemo', () => {
  it('blockOf and isBlockBase agree with ipaddr.js for every address form and block size', () => {
    fc.assert(
      fc.property(fc.array(anyAddress, { minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 32 }), (ips, v4Size) => {
        const memo = new AddrMemo(v4Size);
        // Twice: the second answer comes from the memo.
        for (const ip of [...ips, ...ips]) {
          const want = oracle(ip, v4Size);
          expect(memo.blockOf(ip)).toBe(want.block);
          expect(memo.isBlockBase(ip)).toBe(want.base);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a block base, an address inside a block, and a non-canonical dotted quad (octal to ipaddr.js)', () => {
    const memo = new AddrMemo(26);
    expect([memo.blockOf('10.244.1.64'), memo.isBlockBase('10.244.1.64')]).toEqual(['10.244.1.64/26', true]);
    expect([memo.blockOf('10.244.1.77'), memo.isBlockBase('10.244.1.77')]).toEqual(['10.244.1.64/26', false]);
    // "010" is 8 in ipaddr.js's reading: 8.244.1.77, block 8.244.1.64/26.
    expect(memo.blockOf('010.244.1.77')).toBe('8.244.1.64/26');
    expect([memo.blockOf('fd00:10:244:1::40'), memo.isBlockBase('fd00:10:244:1::40')]).toEqual(['fd00:10:244:1::40/122', true]);
  });

  it('inCidrs agrees with ipaddr.js match', () => {
    fc.assert(
      fc.property(fc.array(anyAddress, { minLength: 1, maxLength: 10 }), fc.array(fc.tuple(anyAddress, fc.integer({ min: 0, max: 128 })), { maxLength: 4 }), (ips, raw) => {
        const cidrs = raw.map(([a, bits]) => {
          const addr = ipaddr.parse(a);
          return [addr, Math.min(bits, addr.kind() === 'ipv4' ? 32 : 128)] as [ipaddr.IPv4 | ipaddr.IPv6, number];
        });
        const memo = new AddrMemo(26);
        for (const ip of ips) {
          const a = ipaddr.parse(ip);
          expect(memo.inCidrs(ip, cidrs)).toBe(cidrs.some((c) => a.kind() === c[0].kind() && a.match(c)));
        }
      }),
      { numRuns: 300 },
    );
  });

  /** notPodAddress of an address as ipaddr.js reads it, in the words the collector's tables hold (signed). */
  const notPod = (ip: string): boolean => {
    const a = ipaddr.parse(ip);
    const b = a.toByteArray();
    const w = (i: number): number => (b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!;
    return a.kind() === 'ipv4' ? notPodAddress(4, w(0), 0, 0, 0) : notPodAddress(6, w(0), w(4), w(8), w(12));
  };

  it('notPodAddress agrees with ipaddr.js range(): unspecified, broadcast, multicast, linkLocal and loopback are no pod addresses', () => {
    const NOT_POD = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback']);
    // Random addresses seldom fall in those ranges: also dotted quads at their edges, and IPv6 ones.
    const edges = fc.oneof(
      fc
        .tuple(fc.constantFrom(0, 1, 126, 127, 128, 168, 169, 170, 223, 224, 239, 240, 254, 255), fc.constantFrom(0, 253, 254, 255), fc.nat(255), fc.nat(255))
        .map((q) => q.join('.')),
      fc.constantFrom('255.255.255.255', '255.255.255.254', '::', '::1', '::2', 'fe80::1', 'febf:ffff::1', 'fec0::1', 'fe7f::1', 'ff02::2', 'ff00::', 'fd00:10:244::1', '2001:db8::1', '::ffff:169.254.1.1'),
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(anyAddress, edges), { minLength: 1, maxLength: 20 }), (ips) => {
        for (const ip of ips) expect(notPod(ip), ip).toBe(NOT_POD.has(ipaddr.parse(ip).range()));
      }),
      { numRuns: 500 },
    );
    expect(['169.254.1.1', '224.0.0.22', 'fe80::7cdd:56ff:fe7c:c60c', 'ff02::2', '10.244.1.10', 'fd00:10:244:1::a'].map(notPod)).toEqual([true, true, true, true, false, false]);
  });

  it('an address lies in a block made by blockOf exactly when its own blockOf is that block (how the report finds pod addresses by learned blocks)', () => {
    fc.assert(
      fc.property(fc.array(anyAddress, { minLength: 1, maxLength: 12 }), fc.array(anyAddress, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 32 }), (seen, asked, v4Size) => {
        const memo = new AddrMemo(v4Size);
        const blocks = new Set(seen.map((ip) => memo.blockOf(ip)));
        const cidrs = [...blocks].map((b) => ipaddr.parseCIDR(b));
        // Addresses in the learned blocks (the seen ones) and others.
        for (const ip of [...seen, ...asked]) {
          const a = ipaddr.parse(ip);
          expect(blocks.has(memo.blockOf(ip)), ip).toBe(cidrs.some((c) => a.kind() === c[0].kind() && a.match(c)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('dottedQuad reads exactly the canonical dotted quads, as ipaddr.js does; anything else is -1', () => {
    const u32 = (ip: string): number => ipaddr.IPv4.parse(ip).toByteArray().reduce((a, b) => a * 256 + b, 0);
    fc.assert(
      fc.property(fc.ipV4(), (ip) => {
        expect(dottedQuad(ip)).toBe(u32(ip));
      }),
      { numRuns: 500 },
    );
    // Other strings (other IPv4 forms, IPv6, near misses): -1, or a canonical quad's value.
    const nearMiss = fc.stringMatching(/^[0-9.]{0,20}$/);
    fc.assert(
      fc.property(fc.oneof(fc.ipV4Extended(), fc.ipV6(), nearMiss, fc.string()), (s) => {
        const v = dottedQuad(s);
        if (v === -1) expect(ipaddr.IPv4.isValidFourPartDecimal(s) && !/(^|\.)0\d/.test(s)).toBe(false);
        else expect(v).toBe(u32(s));
      }),
      { numRuns: 1000 },
    );
    expect(['0.0.0.0', '255.255.255.255', '10.244.1.64'].map(dottedQuad)).toEqual([0, 0xffffffff, 0x0af40140]);
    expect(['256.0.0.1', '1.2.3', '1.2.3.4.5', '01.2.3.4', '1..3.4', '1.2.3.', '', ' 1.2.3.4', '1.2.3.4/26'].map(dottedQuad)).toEqual(Array(9).fill(-1));
  });
});

describe('V4Strings', () => {
  it('gives each address its own text, also when addresses share a cache slot', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat({ max: 64 }), fc.constantFrom(0, 0xffffffff, 0x80000000), fc.integer({ min: 0, max: 0xffffffff })), { minLength: 1, maxLength: 600 }), (us) => {
        const strings = new V4Strings();
        for (const u of [...us, ...us.reverse()]) expect(strings.of(u)).toBe(ipv4String(u));
      }),
      { numRuns: 300 },
    );
    // 10,000 addresses through 4,096 slots: many share one; each still gets its own text.
    const strings = new V4Strings();
    for (let round = 0; round < 2; round++) for (let u = 0x0a000000; u < 0x0a000000 + 10_000; u++) expect(strings.of(u)).toBe(ipv4String(u));
  });
});
