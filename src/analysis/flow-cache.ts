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
 *
 * IPv6 packets (an IPv6 pod or underlay) have a wide cache of their own: their
 * addresses take four words each, so the key is written into `probe` and
 * looked up with `findProbe`, where IPv4 keys are passed as eight arguments.
 */

/**
 * A slot: the key's words, then path entry, pair entry, TCP direction row, in use. `find`
 * answers the index of the slot's first value word: FC_PATH, FC_PAIR and FC_TCP are offsets
 * from there.
 */
export const FC_PATH = 0;
export const FC_PAIR = 1;
export const FC_TCP = 2;
const IN_USE = 3;
/** The usual cache's key words (IPv4 packets: `find` takes them as arguments) and slot size. */
const NARROW = 8;
const STRIDE = NARROW + 4;
const USED = NARROW + IN_USE;
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
function emptySlot(s: Int32Array, mask: number, h: number, stride: number): number {
  const used = stride - 4 + IN_USE;
  let i = h & mask;
  while (s[i * stride + used] !== 0) i = (i + 1) & mask;
  return i * stride;
}

/** The hash of a wide key's `w` words at `s[at]` (hash8's mixing, a word at a time). */
function hashWide(s: Int32Array, at: number, w: number): number {
  let h = 0x9e3779b9;
  for (let i = 0; i < w; i++) h = Math.imul(h ^ (h >>> 15) ^ s[at + i]!, 0x85ebca6b);
  return h ^ (h >>> 16);
}

export class FlowCache {
  /** Slots: the key's `width` words, then FC_PATH, FC_PAIR, FC_TCP and whether in use. */
  slots: Int32Array;
  private mask: number;
  private maxEntries: number;
  private readonly maxSlots: number;
  /** Key words (NARROW, or more for a wide cache: findProbe) and words per slot. */
  readonly width: number;
  private readonly stride: number;
  private entries = 0;
  /** Finds that hit since the cache last grew or started again. */
  private hits = 0;
  /**
   * A wide cache's key, written by the caller before `findProbe`; also the key of the last
   * find that missed, until `insertMissed` (`find` copies its arguments here on a miss).
   */
  readonly probe: Int32Array;
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
   * where the cache starts again empty instead. `width`: key words, NARROW
   * (look up with `find`) or more (write `probe`, then `findProbe`).
   */
  constructor(slots = 1 << 14, maxSlots = Math.max(slots, MAX_SLOTS), width = NARROW) {
    const n = powerOfTwo(slots);
    this.width = width;
    this.stride = width + 4;
    this.probe = new Int32Array(width);
    this.slots = new Int32Array(n * this.stride);
    this.mask = n - 1;
    this.maxEntries = n - (n >>> 2);
    this.maxSlots = Math.max(n, powerOfTwo(maxSlots));
  }

  /** Slots now (for tests). */
  get size(): number {
    return this.mask + 1;
  }

  private static hash8(k0: number, k1: number, k2: number, k3: number, k4: number, k5: number, k6: number, k7: number): number {
    let h = Math.imul(k0 ^ 0x9e3779b9, 0x85ebca6b);
    h = Math.imul(h ^ k1, 0xc2b2ae35) ^ k2;
    h = Math.imul(h ^ (h >>> 13) ^ k3, 0x85ebca6b) ^ k4;
    h = Math.imul(h ^ (h >>> 16) ^ k5, 0xc2b2ae35) ^ k6;
    h = Math.imul(h ^ (h >>> 13) ^ k7, 0x85ebca6b);
    return h ^ (h >>> 16);
  }

  /**
   * The slot holding this key (index of its first value word), or -1. Keys are
   * compared as signed 32-bit words. A miss keeps the key, for `insertMissed`.
   * For the usual (NARROW) cache only.
   */
  find(k0: number, k1: number, k2: number, k3: number, k4: number, k5: number, k6: number, k7: number): number {
    const s = this.slots;
    const h = FlowCache.hash8(k0, k1, k2, k3, k4, k5, k6, k7);
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
        return at + NARROW;
      }
      i = (i + 1) & this.mask;
    }
    const m = this.probe;
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

  /**
   * `find` for a wide cache, its key in `probe`: the index of the slot's first value word, or
   * -1 (the key stays in `probe`, for `insertMissed`).
   */
  findProbe(): number {
    const s = this.slots;
    const p = this.probe;
    const w = this.width;
    const stride = this.stride;
    const h = hashWide(p, 0, w);
    let i = h & this.mask;
    for (;;) {
      const at = i * stride;
      if (s[at + w + IN_USE] === 0) break;
      let k = 0;
      while (k < w && s[at + k] === p[k]) k++;
      if (k === w) {
        this.missed = false;
        this.hits++;
        return at + w;
      }
      i = (i + 1) & this.mask;
    }
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
    const at = emptySlot(s, this.mask, this.missedHash, this.stride);
    const v = at + this.width;
    s.set(this.probe, at);
    s[v + FC_PATH] = path;
    s[v + FC_PAIR] = pair;
    s[v + FC_TCP] = tcp;
    s[v + IN_USE] = 1;
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
    const w = this.width;
    const stride = this.stride;
    const s = new Int32Array(n * stride);
    const mask = n - 1;
    for (let at = 0; at < old.length; at += stride) {
      if (old[at + w + IN_USE] === 0) continue;
      const h =
        w === NARROW
          ? FlowCache.hash8(old[at]!, old[at + 1]!, old[at + 2]!, old[at + 3]!, old[at + 4]!, old[at + 5]!, old[at + 6]!, old[at + 7]!)
          : hashWide(old, at, w);
      s.set(old.subarray(at, at + stride), emptySlot(s, mask, h, stride));
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
