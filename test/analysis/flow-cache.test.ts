/**
 * The fast path's flow cache on its own: keys in, entries out, across its
 * growth (a busy node has more flows than the starting size holds) and its
 * restarts (at its largest size, and for a scan, whose keys never come
 * again). The collector-level tests (test/decode/fast.test.ts) check that
 * the reports do not change; these check that the cache does what it says.
 */
import { describe, expect, it } from 'vitest';
import { FC_PAIR, FC_PATH, FC_TCP, FlowCache } from '../../src/analysis/flow-cache.js';

/** Key n: distinct in every word that matters, with addresses above 2^31 as the decoder gives them. */
function key(n: number): [number, number, number, number, number, number, number, number] {
  return [n & 3, 0x04060000 | (n % 7), n >>> 2, 0xac100000 + n, 0xac100000 + ((n * 7919) >>> 0), 0x0af40000 + n, 0x0af40000 + n * 3, (n * 2654435761) >>> 0];
}

/** The wide (IPv6) cache's width, as the collector makes it. */
const WIDE = 22;

/** Key n as a wide cache's `width` words: key(n), then more words from it (addresses' other words). */
function wideKey(n: number, width: number): number[] {
  const k = key(n);
  return Array.from({ length: width }, (_, i) => (i < 8 ? k[i]! : Math.imul(k[i % 8]!, i + 1)) | 0);
}

function find(c: FlowCache, n: number): number {
  if (c.width === 8) return c.find(...key(n));
  c.probe.set(wideKey(n, c.width));
  return c.findProbe();
}

/** Look key n up; on a miss, cache entries derived from n. */
function touch(c: FlowCache, n: number): void {
  if (find(c, n) < 0) c.insertMissed(n, n + 1, -n - 1);
}

/** Packets of `flows` flows in a seeded random order, a few heavy flows as in a real capture. */
function traffic(flows: number, packets: number): number[] {
  let x = 12345;
  const next = (): number => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const out: number[] = [];
  for (let i = 0; i < flows; i++) out.push(i); // every flow at least once
  while (out.length < packets) out.push(Math.floor(flows * next() * next()));
  return out;
}

function expectEntries(c: FlowCache, n: number): void {
  const s = find(c, n);
  expect(s, `key ${n}`).toBeGreaterThanOrEqual(0);
  expect([c.slots[s + FC_PATH], c.slots[s + FC_PAIR], c.slots[s + FC_TCP]], `key ${n}`).toEqual([n, n + 1, -n - 1]);
}

describe.each([8, WIDE])('flow cache, %i-word keys', (width) => {
  const FlowCacheOf = (slots: number, maxSlots: number): FlowCache => new FlowCache(slots, maxSlots, width);

  it('grows when flows come again, and keeps every entry across the growth', () => {
    const c = FlowCacheOf(16, 1024);
    expect(c.size).toBe(16);
    // 300 flows: far more than 16 slots hold.
    for (const n of traffic(300, 3000)) touch(c, n);
    for (let n = 0; n < 300; n++) touch(c, n);
    expect(c.size).toBe(512);
    for (let n = 0; n < 300; n++) expectEntries(c, n);
  });

  it('starts again empty at its largest size', () => {
    const c = FlowCacheOf(16, 64);
    for (const n of traffic(40, 400)) touch(c, n);
    for (let n = 0; n < 40; n++) touch(c, n);
    expect(c.size).toBe(64);
    for (let n = 0; n < 40; n++) expectEntries(c, n);
    // 48 entries fill 64 slots: the 49th new key empties the cache first.
    for (let n = 40; n < 48; n++) touch(c, n);
    expectEntries(c, 47);
    expectEntries(c, 0);
    touch(c, 48);
    expect(c.size).toBe(64);
    expectEntries(c, 48);
    expect(find(c, 0)).toBe(-1);
    expect(find(c, 47)).toBe(-1);
  });

  it('does not grow for a scan (no key comes again): it starts again, then remembers one miss in 8', () => {
    const c = FlowCacheOf(16, 1024);
    // Keys 0-11 fill 12 of the 16 slots; key 12 finds it full with no hits: it starts again,
    // scanning. From then on only every 8th miss is remembered: 12, 20, 28, ... 996.
    for (let n = 0; n < 1000; n++) touch(c, n);
    expect(c.size).toBe(16);
    expectEntries(c, 996);
    for (const n of [0, 11, 13, 997, 998, 999]) expect(find(c, n), `key ${n}`).toBe(-1);
    // A flow that does come again is cached within 8 of its packets.
    let packets = 0;
    while (find(c, 5000) < 0) {
      touch(c, 5000);
      packets++;
    }
    expect(packets).toBeLessThanOrEqual(8);
    expectEntries(c, 5000);
    // Traffic whose flows come again ends the scan: the cache grows again and keeps every flow.
    for (const n of traffic(300, 6000)) touch(c, 10_000 + n);
    for (let n = 0; n < 300; n++) touch(c, 10_000 + n);
    expect(c.size).toBeGreaterThanOrEqual(512);
    for (let n = 0; n < 300; n++) expectEntries(c, 10_000 + n);
  });

  it('clear (a new capture) ends a scan: the next miss is remembered', () => {
    const c = FlowCacheOf(16, 1024);
    for (let n = 0; n <= 101; n++) touch(c, n);
    expect(find(c, 101)).toBe(-1); // passed: scanning (12, 20, ... 100 were kept)
    c.clear();
    touch(c, 102);
    expectEntries(c, 102);
  });

  it('a hit leaves nothing to insert; a dropped miss inserts nothing', () => {
    const c = FlowCacheOf(16, 16);
    touch(c, 1);
    expect(find(c, 1)).toBeGreaterThanOrEqual(0);
    c.insertMissed(7, 7, 7);
    expectEntries(c, 1);
    expect(find(c, 2)).toBe(-1);
    c.dropMissed();
    c.insertMissed(9, 9, 9);
    expect(find(c, 2)).toBe(-1);
  });

  it('clear empties it and keeps its size', () => {
    const c = FlowCacheOf(16, 1024);
    for (const n of traffic(100, 1000)) touch(c, n);
    const size = c.size;
    expect(size).toBeGreaterThan(16);
    c.clear();
    expect(c.size).toBe(size);
    for (let n = 0; n < 100; n++) expect(find(c, n)).toBe(-1);
  });
});

describe('the wide flow cache', () => {
  // (Whether a probe compares every word shows only when two such keys meet on one probe chain,
  // which their hashes decide; the collector-level tests drop a word from the key instead.)
  it('keeps apart keys that differ only in one word, the last included (an IPv6 address word, the ports), and reads each back', () => {
    const c = new FlowCache(32, 32, WIDE); // room for all 23 keys (24 of 32 slots), probe chains long enough to meet
    const base = wideKey(5, WIDE);
    for (let w = 0; w < WIDE; w++) {
      const k = [...base];
      k[w] = (k[w]! ^ 0x100) | 0;
      c.probe.set(k);
      expect(c.findProbe(), `word ${w}`).toBe(-1);
      c.insertMissed(w, w, w);
    }
    c.probe.set(base);
    expect(c.findProbe()).toBe(-1);
    for (let w = 0; w < WIDE; w++) {
      const k = [...base];
      k[w] = (k[w]! ^ 0x100) | 0;
      c.probe.set(k);
      const s = c.findProbe();
      expect(s, `word ${w}`).toBeGreaterThanOrEqual(0);
      expect(c.slots[s + FC_PATH]).toBe(w);
    }
  });
});
