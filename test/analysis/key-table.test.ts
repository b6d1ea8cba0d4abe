/**
 * The collector's tables grow by doubling, but never past the entries they
 * may hold: a full table of 100,000 entries used to hold room for 131,072
 * (ipip-scan-2m: a quarter more than needed in its largest table, the TCP
 * rows, at 192 bytes a connection).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyTable, MAX_ENTRIES } from '../../src/analysis/key-table.js';
import { microseconds, TcpFlows } from '../../src/analysis/tcp-flows.js';
import { Layer } from '../../src/decode/packet.js';

function fill(t: KeyTable, n: number): number[] {
  const entries: number[] = [];
  for (let i = 0; i < n; i++) {
    t.probe[0] = i;
    t.probe[1] = i * 7919;
    t.probe[2] = ~i >>> 0;
    entries.push(t.lookup());
  }
  return entries;
}

describe('KeyTable growth', () => {
  it('grows to exactly its most entries, keeps every key, and then answers -1', () => {
    const t = new KeyTable(3, 100, 8);
    expect(t.capacity).toBe(8);
    expect(fill(t, 100)).toEqual([...Array(100).keys()]);
    expect(t.capacity).toBe(100);
    // Every key is found again at its entry, and its words are intact.
    expect(fill(t, 100)).toEqual([...Array(100).keys()]);
    expect(t.word(99, 1)).toBe(99 * 7919);
    t.probe[0] = 1000;
    expect(t.lookup()).toBe(-1);
    expect(t.size).toBe(100);
  });

  it('past 1,024 entries, room for all its entries at once when that is at most 64 MiB of keys; doubling otherwise', () => {
    // 100,000 entries of 5 words (2 MB): 256, 512, 1,024 by doubling, then 100,000 (no copy of
    // 65,536 entries' keys beside 131,072 new ones while a scan fills the table).
    // (fill sets the first three words of the key; the other two stay 0.)
    const small = new KeyTable(5, 100_000, 256);
    const seen: number[] = [];
    for (const n of [256, 257, 1024, 1025, 1100]) {
      expect(fill(small, n)).toEqual([...Array(n).keys()]);
      if (seen.at(-1) !== small.capacity) seen.push(small.capacity);
    }
    expect(seen).toEqual([256, 512, 1024, 100_000]);
    // 4,000,000 entries of 5 words would be 80 MB: doubling on.
    const large = new KeyTable(5, 4_000_000, 256);
    fill(large, 1100);
    expect(large.capacity).toBe(2048);
  });

  it('never has room for more than its limit (or its starting size)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 1, max: 64 }), fc.integer({ min: 0, max: 700 }), (max, initial, n) => {
        const t = new KeyTable(3, max, initial);
        const entries = fill(t, n);
        expect(entries.filter((e) => e >= 0)).toHaveLength(Math.min(n, max));
        expect(t.capacity).toBeGreaterThanOrEqual(t.size);
        expect(t.capacity).toBeLessThanOrEqual(Math.max(max, initial, 8));
      }),
      { numRuns: 200 },
    );
  });
});

describe('KeyTable.find', () => {
  it('answers the entry of a key that is in, -1 for one that is not, and never inserts', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 300 }), fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 300 }), (keys, asks) => {
        const t = new KeyTable(2, 1000, 8);
        const at = new Map<number, number>();
        for (const k of keys) {
          t.probe[0] = k;
          t.probe[1] = k ^ 0x5555;
          at.set(k, t.lookup());
        }
        for (const k of asks) {
          t.probe[0] = k;
          t.probe[1] = k ^ 0x5555;
          expect(t.find()).toBe(at.get(k) ?? -1);
        }
        expect(t.size).toBe(keys.length);
        // A lookup after a find that missed inserts at the next entry, and finds it later.
        t.probe[0] = 9999;
        t.probe[1] = 1;
        expect(t.find()).toBe(-1);
        expect(t.lookup()).toBe(keys.length);
        expect(t.inserted).toBe(true);
        expect(t.find()).toBe(keys.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('KeyTable slot tags', () => {
  it('finds every key among 60,000 (slots whose hash bits agree with another key are compared in full) and no absent one', () => {
    const t = new KeyTable(2, 100_000, 8);
    const key = (i: number): void => {
      t.probe[0] = (i * 2654435761) >>> 0;
      t.probe[1] = i & 0xff;
    };
    for (let i = 0; i < 60_000; i++) {
      key(i);
      expect(t.lookup()).toBe(i);
    }
    for (let i = 0; i < 60_000; i++) {
      key(i);
      if (t.find() !== i) expect(t.find()).toBe(i);
    }
    for (let i = 60_000; i < 120_000; i++) {
      key(i);
      if (t.find() !== -1) expect(t.find()).toBe(-1);
    }
    expect(t.size).toBe(60_000);
  });

  it('takes at most MAX_ENTRIES (entry + 1 fits 24 bits of a slot)', () => {
    expect(MAX_ENTRIES).toBe(2 ** 24 - 2);
    expect(new KeyTable(2).maxEntries).toBe(MAX_ENTRIES);
    expect(new KeyTable(2, 1e12).maxEntries).toBe(MAX_ENTRIES);
    expect(new KeyTable(2, 300).maxEntries).toBe(300);
  });
});

describe('TcpFlows growth', () => {
  const ip = new Layer();
  const tcp = new Layer();
  const connect = (flows: TcpFlows, n: number, st: number): void => {
    for (let i = 0; i < n; i++) {
      ip.src = 0x0a000001;
      ip.dst = (0x0a010000 + i) >>> 0;
      ip.totalLength = 40;
      tcp.srcPort = 40000;
      tcp.dstPort = 80;
      tcp.tcpFlags = 0x02;
      tcp.seq = i;
      flows.add(0, 0, ip, tcp, false, 1_000_000 + i * 1000, i + 1, st, true);
    }
  };

  it('the rows stop at the connection limit; further connections are counted as overflow', () => {
    const flows = new TcpFlows(300);
    const st = 0;
    connect(flows, 300, st);
    expect(flows.v4.keys.size).toBe(300);
    expect(flows.v4.capacity).toBe(300);
    expect(flows.overflow).toBe(0);
    // The first 300 again find their rows; only the 10 new ones overflow.
    connect(flows, 310, st);
    expect(flows.overflow).toBe(10);
    expect(flows.v4.capacity).toBe(300);
  });

  it('past 1,024 connections, rows for the most the table takes at once', () => {
    const flows = new TcpFlows(100_000);
    connect(flows, 1024, 0);
    expect(flows.v4.capacity).toBe(1024);
    connect(flows, 1025, 0);
    expect(flows.v4.capacity).toBe(100_000);
    expect(flows.overflow).toBe(0);
  });

  it('a merge grows the same way', () => {
    const one = new TcpFlows(300);
    const st = 0;
    connect(one, 290, st);
    const merged = new TcpFlows(300);
    merged.absorbAt(one.snapshot(), 0, () => st);
    expect(merged.v4.keys.size).toBe(290);
    expect(merged.v4.capacity).toBeLessThanOrEqual(300);
    expect(merged.v4.capacity).toBeGreaterThanOrEqual(290);
  });
});

describe('microseconds', () => {
  // What TcpFlows folds as a segment's time: (sec * 10^6 + floor(nsec / 1000)) mod 2^32, signed.
  const exact = (sec: number, nsec: number): number => Number(BigInt.asIntN(32, BigInt(sec) * 1_000_000n + BigInt(Math.floor(nsec / 1000))));

  it('is the exact time in microseconds modulo 2^32, for seconds passed signed up to 2^32 - 1', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 999_999_999 }), (sec, nsec) => {
        expect(microseconds(sec | 0, nsec)).toBe(exact(sec, nsec));
      }),
    );
    expect(microseconds(1_700_000_000, 999_999_999)).toBe(exact(1_700_000_000, 999_999_999));
    expect(microseconds(0xffffffff | 0, 999_999)).toBe(exact(0xffffffff, 999_999)); // 2106
  });

  it('keeps the difference of two times close together, across the wrap of 2^32', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xfffffff0 }), fc.integer({ min: 0, max: 999_999_999 }), fc.integer({ min: 0, max: 5_000_000 }), (sec, nsec, dUs) => {
        const later = nsec + dUs * 1000;
        const a = microseconds(sec | 0, nsec);
        const b = microseconds((sec + Math.floor(later / 1e9)) | 0, later % 1e9);
        expect((b - a) | 0).toBe(dUs);
      }),
    );
  });
});
