/** A slot's hash bits (the top 8) and entry bits (entry + 1, the low 24). */
const TAG = 0xff000000 | 0;
const ENTRY = 0x00ffffff;
/** Most entries a table takes: entry + 1 fits the slot's 24 bits. */
export const MAX_ENTRIES = ENTRY - 1;
/** Entries past which the keys are made at the table's full size, when that is at most FULL_MAX_BYTES. */
const FULL_FROM = 1024;
const FULL_MAX_BYTES = 64 << 20;

/**
 * An open-addressing hash table keyed by a fixed number of u32 words, for
 * aggregating packets by flow-like keys without building a string (or any
 * object) per packet. Entries are numbered densely in insertion order, so
 * callers keep per-entry statistics in parallel arrays indexed by entry.
 *
 * The caller writes the key into `probe` and calls `lookup`; memory grows by
 * doubling (amortised, never per packet) up to `maxEntries`, past which
 * `lookup` answers -1 and the caller folds the packet into an "other" count.
 *
 * A slot holds the entry number + 1 in its low 24 bits and the top 8 bits of
 * the key's hash above them: a probe passes a slot of another key without
 * reading that key (a second cache miss) 255 times in 256. A scan, whose
 * every packet is a new key, probes past ~1 taken slot per look-up.
 */
export class KeyTable {
  readonly probe: Uint32Array;
  /** Entries in use. */
  size = 0;
  /** Set by lookup: whether the key was inserted by that call. */
  inserted = false;
  private keys: Uint32Array;
  private slots: Int32Array;
  private mask: number;
  /** The empty slot where the last `find` that missed stopped, and the key's tag: where and what `lookup` puts. */
  private free = 0;
  private freeTag = 0;

  /** Most entries: `maxEntries` as asked, at most MAX_ENTRIES. */
  readonly maxEntries: number;

  constructor(
    readonly width: number,
    maxEntries = MAX_ENTRIES,
    initialCapacity = 256,
  ) {
    this.maxEntries = Math.min(maxEntries, MAX_ENTRIES);
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.probe = new Uint32Array(width);
    this.keys = new Uint32Array(Math.max(initialCapacity, 8) * width);
    this.slots = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Entry index for the key in `probe`, inserting it if new; -1 when the table is full. */
  lookup(): number {
    const e = this.find();
    if (e >= 0) {
      this.inserted = false;
      return e;
    }
    if (this.size >= this.maxEntries) {
      this.inserted = false;
      return -1;
    }
    const w = this.width;
    const n = this.size++;
    if ((n + 1) * w > this.keys.length) this.keys = growU32(this.keys, this.roomAfter(this.keys.length));
    this.keys.set(this.probe, n * w);
    this.slots[this.free] = this.freeTag | (n + 1);
    this.inserted = true;
    if (this.size * 2 > this.slots.length) this.rehash();
    return n;
  }

  /**
   * Key words to make room for, past `words`: doubling, but never past the most entries the
   * table takes (a full 100,000-entry table held 131,072); past FULL_FROM entries, that most
   * at once when it is at most FULL_MAX_BYTES (pages never written take no memory, and no
   * copy of the keys stands beside the new array while a scan fills the table).
   */
  private roomAfter(words: number): number {
    const most = this.maxEntries * this.width;
    const doubled = Math.min(words * 2, most);
    return doubled > FULL_FROM * this.width && most * 4 <= FULL_MAX_BYTES ? most : doubled;
  }

  /** Entry index for the key in `probe`, -1 when it has none (nothing is inserted). */
  find(): number {
    const w = this.width;
    const p = this.probe;
    let h = 0x811c9dc5;
    for (let i = 0; i < w; i++) h = Math.imul(h ^ p[i]!, 0x01000193);
    h ^= h >>> 15;
    const tag = h & TAG;
    const mask = this.mask;
    const slots = this.slots;
    const keys = this.keys;
    let s = h & mask;
    for (;;) {
      const v = slots[s]!;
      if (v === 0) break;
      if ((v & TAG) === tag) {
        const base = ((v & ENTRY) - 1) * w;
        let same = true;
        for (let i = 0; i < w; i++) {
          if (keys[base + i] !== p[i]) {
            same = false;
            break;
          }
        }
        if (same) return (v & ENTRY) - 1;
      }
      s = (s + 1) & mask;
    }
    this.free = s;
    this.freeTag = tag;
    return -1;
  }

  /** Entries the key store has room for now, without growing (for tests). */
  get capacity(): number {
    return this.keys.length / this.width;
  }

  /** The keys of every entry, entry after entry: a copy, or (`copy` false) a view on the table's own words. */
  keyWords(copy = true): Uint32Array {
    return leading(this.keys, this.size * this.width, copy);
  }

  /** Word i of entry e's key. */
  word(e: number, i: number): number {
    return this.keys[e * this.width + i]!;
  }

  private rehash(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap);
    const mask = cap - 1;
    const w = this.width;
    const keys = this.keys;
    for (let e = 0; e < this.size; e++) {
      let h = 0x811c9dc5;
      for (let i = 0; i < w; i++) h = Math.imul(h ^ keys[e * w + i]!, 0x01000193);
      h ^= h >>> 15;
      let s = h & mask;
      while (slots[s] !== 0) s = (s + 1) & mask;
      slots[s] = (h & TAG) | (e + 1);
    }
    this.slots = slots;
    this.mask = mask;
  }
}

/**
 * The first `end` elements of a table's array: a copy (a snapshot of its own), or a view on the
 * array itself (a finished collector's tables handed over as they are: Collector.release).
 */
export function leading<T extends Float64Array | Uint32Array | Int32Array | Uint8Array>(a: T, end: number, copy: boolean): T {
  return (copy ? a.slice(0, end) : a.subarray(0, end)) as T;
}

export function growU32(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}

export function growF64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

export function growI32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

export function growU8(a: Uint8Array, n: number): Uint8Array {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
