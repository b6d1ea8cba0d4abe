/**
 * A cache in front of the collector's tables for fast-path packets: the eight
 * words that decide which path, which pod pair and which TCP connection
 * direction a tunnelled packet belongs to (interface, mode/protocol/port,
 * tunnel id, outer and inner addresses, ports), or which conversation and
 * TCP direction an unencapsulated one does (interface, MACs, addresses,
 * ports) -> those entries. One look-up with the key inline in the slot
 * replaces two or three table look-ups.
 *
 * Entries of the collector's tables never move and a full table never
 * accepts a key later, so a cached answer stays true for the collector's
 * life; the cache only has to be emptied when the capture changes (the
 * capture is not in the key). When it fills, it doubles, up to `maxSlots`
 * slots; full at that size, it starts again empty: a cache miss costs the
 * table look-ups the cache saves (Collector.addFastMiss), never a wrong
 * answer. (At a fixed 16,384 slots, when a miss cost a reference decode, a
 * capture of 8,192 connections took 1.8 times as long as one of 4,096: the
 * cache started again every 12,288 new flows, and most packets came after
 * their flow had been dropped.) When it fills with next to no hits (a scan),
 * it remembers only one miss in eight until flows come again: a scan's keys
 * are never looked up twice, and writing them cost ~6% of ipip-scan-2m.
 */

/** Words per slot: 8 key words, path entry, pair entry, TCP direction row, in use. */
const STRIDE = 12;
export const FC_PATH = 8;
export const FC_PAIR = 9;
export const FC_TCP = 10;
const USED = 11;
/**
 * The cache grows when at least 1/GROW_HITS as many finds hit as it holds
 * entries, else it starts again. Only a scan hits (almost) nothing; random
 * traffic over 200,000 flows (100,000 connections), which a 16,384-slot cache
 * cannot hold, still hits ~1/30 as often before the first growth.
 */
const GROW_HITS = 64;
/** While scanning, one miss in this many is remembered. */
const SCAN_ADMIT = 8;
/** Largest size the cache grows to by default: 262,144 slots (12 MiB), for up to 196,608 flows. */
const MAX_SLOTS = 1 << 18;

function powerOfTwo(x: number): number {
  let n = 2;
  while (n < x) n *= 2;
  return n;
}

/** The first word of the first empty slot a key of hash `h` probes (linear probing from h & mask). */
function emptySlot(s: Int32Array, mask: number, h: number): number {
  let i = h & mask;
  while (s[i * STRIDE + USED] !== 0) i = (i + 1) & mask;
  return i * STRIDE;
}

export class FlowCache {
  /** Slots, STRIDE words each; `find` answers a slot's first word. */
  slots: Int32Array;
  private mask: number;
  private maxEntries: number;
  private readonly maxSlots: number;
  private entries = 0;
  /** Finds that hit since the cache last grew or started again. */
  private hits = 0;
  /** The key of the last `find` that missed, and its hash, until `insertMissed`. */
  private readonly missedKey = new Int32Array(8);
  private missedHash = 0;
  private missed = false;
  /**
   * Set when the cache filled with next to no hits (a scan: every packet a new key): then
   * only one miss in SCAN_ADMIT is remembered, the others passed since the last one counted
   * in `passed`. A flow that does come again is still cached, after a few packets.
   */
  private scanning = false;
  private passed = 0;

  /**
   * `slots`: the starting size, rounded up to a power of two; it doubles
   * when three quarters are filled, up to `maxSlots` (rounded up likewise),
   * where the cache starts again empty instead.
   */
  constructor(slots = 1 << 14, maxSlots = Math.max(slots, MAX_SLOTS)) {
    const n = powerOfTwo(slots);
    this.slots = new Int32Array(n * STRIDE);
    this.mask = n - 1;
    this.maxEntries = n - (n >>> 2);
    this.maxSlots = Math.max(n, powerOfTwo(maxSlots));
  }

  /** Slots now (for tests). */
  get size(): number {
    return this.mask + 1;
  }

  private static hash(k0: number, k1: number, k2: number, k3: number, k4: number, k5: number, k6: number, k7: number): number {
    let h = Math.imul(k0 ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ k1, 0xc2b2ae35) ^ k2;
    h = Math.imul(h ^ (h >>> 13) ^ k3, 0x85ebca6b) ^ k4;
    h = Math.imul(h ^ (h >>> 16) ^ k5, 0xc2b2ae35) ^ k6;
    h = Math.imul(h ^ (h >>> 13) ^ k7, 0x85ebca6b);
    return h ^ (h >>> 16);
  }

  /**
   * The slot holding this key (index of its first word), or -1. Keys are
   * compared as signed 32-bit words. A miss keeps the key, for `insertMissed`.
   */
  find(k0: number, k1: number, k2: number, k3: number, k4: number, k5: number, k6: number, k7: number): number {
    const s = this.slots;
    const h = FlowCache.hash(k0, k1, k2, k3, k4, k5, k6, k7);
    let i = h & this.mask;
    for (;;) {
      const at = i * STRIDE;
      if (s[at + USED] === 0) break;
      if (
        s[at] === (k0 | 0) &&
        s[at + 1] === (k1 | 0) &&
        s[at + 2] === (k2 | 0) &&
        s[at + 3] === (k3 | 0) &&
        s[at + 4] === (k4 | 0) &&
        s[at + 5] === (k5 | 0) &&
        s[at + 6] === (k6 | 0) &&
        s[at + 7] === (k7 | 0)
      ) {
        this.missed = false;
        this.hits++;
        return at;
      }
      i = (i + 1) & this.mask;
    }
    const m = this.missedKey;
    m[0] = k0;
    m[1] = k1;
    m[2] = k2;
    m[3] = k3;
    m[4] = k4;
    m[5] = k5;
    m[6] = k6;
    m[7] = k7;
    this.missedHash = h;
    this.missed = true;
    return -1;
  }

  /** Remember the entries for the key the last `find` missed (nothing when it hit, or was answered already). */
  insertMissed(path: number, pair: number, tcp: number): void {
    if (!this.missed) return;
    this.missed = false;
    if (this.scanning && ++this.passed < SCAN_ADMIT) return;
    this.passed = 0;
    if (this.entries >= this.maxEntries) {
      // Grow only for flows that come again: a scan (every packet a new key) hits nothing and
      // would only spread its misses over a larger table (ipip-scan-2m: 6-14% slower).
      this.scanning = this.hits * GROW_HITS < this.entries;
      if (this.mask + 1 < this.maxSlots && !this.scanning) this.grow();
      else this.empty();
    }
    const s = this.slots;
    const at = emptySlot(s, this.mask, this.missedHash);
    s.set(this.missedKey, at);
    s[at + FC_PATH] = path;
    s[at + FC_PAIR] = pair;
    s[at + FC_TCP] = tcp;
    s[at + USED] = 1;
    this.entries++;
  }

  /** Forget the last miss (its packet took no path this cache knows). */
  dropMissed(): void {
    this.missed = false;
  }

  /** Twice the slots, every entry moved to its place there. */
  private grow(): void {
    const old = this.slots;
    const n = (this.mask + 1) * 2;
    const s = new Int32Array(n * STRIDE);
    const mask = n - 1;
    for (let at = 0; at < old.length; at += STRIDE) {
      if (old[at + USED] === 0) continue;
      const h = FlowCache.hash(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!, old[at + 4]!, old[at + 5]!, old[at + 6]!, old[at + 7]!);
      s.set(old.subarray(at, at + STRIDE), emptySlot(s, mask, h));
    }
    this.slots = s;
    this.mask = mask;
    this.maxEntries = n - (n >>> 2);
    this.hits = 0;
  }

  /** Start afresh (a new capture): empty, and not scanning. */
  clear(): void {
    this.scanning = false;
    this.passed = 0;
    this.empty();
  }

  private empty(): void {
    this.missed = false;
    this.hits = 0;
    if (this.entries === 0) return;
    this.slots.fill(0);
    this.entries = 0;
  }
}
