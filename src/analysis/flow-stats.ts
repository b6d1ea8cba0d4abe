/**
 * Statistics of the collector's paths and conversations, one row per table
 * entry, in typed arrays (FlowStats was an object per entry: ~310 bytes with
 * its two boxed timestamps, 62 MB at the 200,000 conversations of an
 * unencapsulated scan, and the young generation grew to 32 MB carrying them;
 * bench/README, "Peak memory").
 *
 * What every packet updates is one row of `hot` (STRIDE doubles: the packet
 * reads one array, one or two cache lines, as it read one object). What few
 * packets update (a path's first frame, checksum samples, fragments, SYNs)
 * is in columns of its own, one element per row.
 *
 * The arrays have room for 1,024 rows at first; a table that needs more gets
 * arrays of its full size (maxRows) at once. Those are never written past the
 * rows made, and the kernel hands their pages over, zeroed, on first write:
 * they cost resident memory only as far as rows have been written, and a
 * column never written (a conversation's checksum counts) costs none. Nothing
 * is allocated per row except a row's ICMP round-trip times.
 *
 * Counts in `hot` are exact doubles. The columns' counts are 32-bit (wrapping
 * past 4,294,967,295 of one path or conversation), and so are example frames
 * (the capture's packet numbers, rec.index).
 */

import { growF64, growI32, growU32, growU8, leading } from './key-table.js';

/** What StatsTable.add reads of a packet's record (a CaptureRecord). */
export interface PacketTime {
  tsSec: number;
  tsNsec: number;
  /** The frame number. */
  index: number;
}

/** Fields of a `hot` row (row e's field F is hot[e * STRIDE + F]). */
export const PACKETS = 0;
export const BYTES = 1;
/** Outer IP length minus the pod packet's, summed (tunnel overhead). */
export const ENCAP_BYTES = 2;
/** First and last packet's time (seconds): set by the row's first packet. */
export const FIRST_TS = 3;
export const LAST_TS = 4;
export const MAX_OUTER = 5;
export const MAX_INNER = 6;
export const DF = 7;
/** Packets by inner protocol (countProtocol); the rest are otherPackets. */
export const TCP = 8;
export const UDP = 9;
export const ICMP = 10;
/** Directions seen (SLL/pcapng): bit 1 in, bit 2 out. */
export const DIRECTIONS = 11;
/** Doubles per `hot` row. */
export const STRIDE = 12;

/** Example frames kept per row. */
export const EXAMPLES = 5;

/** Rows the arrays have room for at first. */
const FIRST_ROWS = 1024;

/** ICMP echo round-trip times kept per row. */
const MAX_RTTS = 4096;

/**
 * Stats references: how the collector's SYN, echo and TCP tables name the row
 * of the path or conversation that carried a packet. Path row e is e,
 * conversation row e is plainRef(e) = -(e + 1); NO_REF (tcp-flows.ts) none.
 */
export const plainRef = (e: number): number => -(e + 1);

/** The row of a stats reference (whether it is a path's: ref >= 0). */
export const refRow = (ref: number): number => (ref >= 0 ? ref : -ref - 1);

type Column = Float64Array | Uint32Array | Int32Array | Uint8Array;

/** A table's rows as plain data (Collector.snapshot; typed arrays survive postMessage). */
export interface StatsSnapshot {
  size: number;
  /** StatsTable's arrays in its fixed order, rows [0, size). */
  columns: Column[];
  rtts: [number, number[]][];
}

export class StatsTable {
  /** Rows made so far (entries are dense: row e exists when e < size). */
  size = 0;
  /** Rows the arrays have room for now. */
  capacity = 0;
  hot: Float64Array = new Float64Array(0);
  /** Frame numbers of the first EXAMPLES packets: row * EXAMPLES + i (how many: min(packets, EXAMPLES)). */
  exampleFrames: Uint32Array = new Uint32Array(0);
  /** IP fragments (more-fragments flag or an offset). */
  fragments: Uint32Array = new Uint32Array(0);
  /** Packets of inner protocols other than TCP, UDP, ICMP (and of tunnels whose payload is not IP). */
  otherPackets: Uint32Array = new Uint32Array(0);
  /** Packets whose pod pair did not fit the pair table. */
  pairOverflow: Uint32Array = new Uint32Array(0);
  /** IP fragments of tunnel protocols (4, 41, 47, UDP) among these packets. */
  tunnelFragments: Uint32Array = new Uint32Array(0);
  /** Checksums verified (first CHECKSUM_SAMPLE packets of a path), and bad ones by direction: in, out, unknown. */
  checksumsChecked: Uint32Array = new Uint32Array(0);
  badChecksumsIn: Uint32Array = new Uint32Array(0);
  badChecksumsOut: Uint32Array = new Uint32Array(0);
  badChecksumsUnknown: Uint32Array = new Uint32Array(0);
  /**
   * A path's sender and receiver MAC on its first frame: the high 16 bits + 1 (0: none) and
   * the low 32 bits as a signed integer. A conversation's MACs are in its key, not here.
   */
  srcMacHi: Int32Array = new Int32Array(0);
  srcMacLo: Int32Array = new Int32Array(0);
  dstMacHi: Int32Array = new Int32Array(0);
  dstMacLo: Int32Array = new Int32Array(0);
  /** Largest TCP MSS option on SYNs of the pod traffic, + 1 (0: none seen). */
  maxMss: Uint32Array = new Uint32Array(0);
  /** 1 when Calico's veth MAC ee:ee:ee:ee:ee:ee sent or received (cali* veths). */
  calicoVethMac: Uint8Array = new Uint8Array(0);
  /** ICMP echo round-trip times (seconds) of requests carried here, by row; rows without any are absent. */
  readonly rtts = new Map<number, number[]>();

  /**
   * Room for `maxRows` rows: the arrays start with room for FIRST_ROWS and are made again at
   * `maxRows` when a capture needs more: a collector that sees a few paths does not take
   * 30 MB of address space for 200,000 conversations (garbage collection counts it), and in
   * full-size arrays the pages never written take no memory.
   */
  constructor(readonly maxRows: number) {
    this.resize(Math.min(maxRows, FIRST_ROWS));
  }

  /** Arrays with room for n rows, the rows made so far copied over. */
  private resize(n: number): void {
    this.hot = growF64(this.hot, n * STRIDE);
    this.exampleFrames = growU32(this.exampleFrames, n * EXAMPLES);
    this.fragments = growU32(this.fragments, n);
    this.otherPackets = growU32(this.otherPackets, n);
    this.pairOverflow = growU32(this.pairOverflow, n);
    this.tunnelFragments = growU32(this.tunnelFragments, n);
    this.checksumsChecked = growU32(this.checksumsChecked, n);
    this.badChecksumsIn = growU32(this.badChecksumsIn, n);
    this.badChecksumsOut = growU32(this.badChecksumsOut, n);
    this.badChecksumsUnknown = growU32(this.badChecksumsUnknown, n);
    this.srcMacHi = growI32(this.srcMacHi, n);
    this.srcMacLo = growI32(this.srcMacLo, n);
    this.dstMacHi = growI32(this.dstMacHi, n);
    this.dstMacLo = growI32(this.dstMacLo, n);
    this.maxMss = growU32(this.maxMss, n);
    this.calicoVethMac = growU8(this.calicoVethMac, n);
    this.capacity = n;
    this.columns = this.listColumns();
  }

  /** Every array, in one fixed order, with its elements per row (snapshots, merges). */
  private columns: [Column, number][] = [];

  private listColumns(): [Column, number][] {
    return [
      [this.hot, STRIDE],
      [this.exampleFrames, EXAMPLES],
      [this.fragments, 1],
      [this.otherPackets, 1],
      [this.pairOverflow, 1],
      [this.tunnelFragments, 1],
      [this.checksumsChecked, 1],
      [this.badChecksumsIn, 1],
      [this.badChecksumsOut, 1],
      [this.badChecksumsUnknown, 1],
      [this.srcMacHi, 1],
      [this.srcMacLo, 1],
      [this.dstMacHi, 1],
      [this.dstMacLo, 1],
      [this.maxMss, 1],
      [this.calicoVethMac, 1],
    ];
  }

  /** Whether row e has been made. */
  has(e: number): boolean {
    return e < this.size;
  }

  /** Make row e, the table's next entry (its fields are still zero). */
  make(e: number): void {
    if (e !== this.size) throw new Error(`StatsTable: row ${e} made out of order (next is ${this.size})`);
    if (e >= this.capacity) {
      if (e >= this.maxRows) throw new Error(`StatsTable: row ${e} past the table's ${this.maxRows} rows`);
      this.resize(this.maxRows);
    }
    this.size = e + 1;
  }

  /** Row e's field F of `hot` (for readers; the collector writes `hot` directly). */
  get(e: number, f: number): number {
    return this.hot[e * STRIDE + f]!;
  }

  /**
   * One packet of `bytes` (its outermost IP length), record `rec` (its time and frame number),
   * in row e: counts, bytes, time span, largest, first frames. Returns the row's offset in
   * `hot`, for the caller's other fields. The time is read from the record here: passed as a
   * number, seconds from 2038 on (2^31) or any time as a double would be a heap number on
   * every call V8 does not inline.
   */
  add(e: number, rec: PacketTime, bytes: number): number {
    const ts = rec.tsSec + rec.tsNsec / 1e9;
    const frame = rec.index;
    const h = this.hot;
    const at = e * STRIDE;
    const n = h[at + PACKETS]!;
    h[at + PACKETS] = n + 1;
    h[at + BYTES] = h[at + BYTES]! + bytes;
    if (bytes > h[at + MAX_OUTER]!) h[at + MAX_OUTER] = bytes;
    if (n === 0) {
      h[at + FIRST_TS] = ts;
      h[at + LAST_TS] = ts;
    } else {
      if (ts < h[at + FIRST_TS]!) h[at + FIRST_TS] = ts;
      if (ts > h[at + LAST_TS]!) h[at + LAST_TS] = ts;
    }
    if (n < EXAMPLES) this.exampleFrames[e * EXAMPLES + n] = frame;
    return at;
  }

  /** The first frames of row e (up to EXAMPLES), in order. */
  examples(e: number): number[] {
    return this.examplesInto(e, []);
  }

  /** examples(e) pushed onto `out` (a report over many rows makes no array per row); returns out. */
  examplesInto(e: number, out: number[]): number[] {
    const n = Math.min(this.get(e, PACKETS), EXAMPLES);
    for (let i = 0; i < n; i++) out.push(this.exampleFrames[e * EXAMPLES + i]!);
    return out;
  }

  /** Row e's first frame's MACs (from the Ethernet header), `mac` as a 48-bit number. */
  setMacs(e: number, srcMac: number, dstMac: number): void {
    this.srcMacHi[e] = Math.floor(srcMac / 0x100000000) + 1;
    this.srcMacLo[e] = srcMac | 0;
    this.dstMacHi[e] = Math.floor(dstMac / 0x100000000) + 1;
    this.dstMacLo[e] = dstMac | 0;
  }

  /** Row e's sender (or receiver) MAC as a 48-bit number; -1 when none was kept. */
  mac(e: number, dst: boolean): number {
    const hi = (dst ? this.dstMacHi : this.srcMacHi)[e]!;
    const lo = (dst ? this.dstMacLo : this.srcMacLo)[e]!;
    return hi === 0 ? -1 : (hi - 1) * 0x100000000 + (lo >>> 0);
  }

  /** A SYN's MSS option. */
  seeMss(e: number, mss: number): void {
    if (mss + 1 > this.maxMss[e]!) this.maxMss[e] = mss + 1;
  }

  /** Largest SYN MSS of row e; -1 when none was seen. */
  mss(e: number): number {
    return this.maxMss[e]! - 1;
  }

  /**
   * Row e's list of ICMP echo round-trip times (seconds) when it has room for one more (made
   * when new), else null: the first MAX_RTTS are kept. The caller pushes the time itself: a
   * time passed to a method V8 does not inline is a heap number on every echo reply.
   */
  rttRoom(e: number): number[] | null {
    const list = this.rtts.get(e);
    if (list) return list.length < MAX_RTTS ? list : null;
    const made: number[] = [];
    this.rtts.set(e, made);
    return made;
  }

  /** Row e's round-trip times (empty when none). */
  rttsOf(e: number): number[] {
    return this.rtts.get(e) ?? [];
  }

  /** The round-trip times of rows `rows`, in row order (one array, none per row). */
  rttsOfRows(rows: readonly number[]): number[] {
    const out: number[] = [];
    for (const e of rows) {
      const list = this.rtts.get(e);
      if (list) for (const t of list) out.push(t);
    }
    return out;
  }

  /** The rows made so far: copies, or (`copy` false) views on this table's own columns (see Collector.release). */
  snapshot(copy = true): StatsSnapshot {
    return {
      size: this.size,
      columns: this.columns.map(([c, per]) => leading(c, this.size * per, copy)),
      rtts: [...this.rtts],
    };
  }

  /** Packets of row e of a snapshot. */
  static packetsOf(snap: StatsSnapshot, e: number): number {
    return snap.columns[0]![e * STRIDE + PACKETS]!;
  }

  /**
   * Copy rows [from, from + n) of a snapshot into rows [to, to + n) (made here, in order): one
   * copy per column for the lot (a merge moves 200,000 rows of a scan; a copy per row and
   * column, each with a view of its own, took 0.26 s).
   */
  copyRows(to: number, snap: StatsSnapshot, from: number, n: number): void {
    for (let i = 0; i < n; i++) this.make(to + i);
    if (n <= 0) return;
    const mine = this.columns;
    for (let c = 0; c < mine.length; c++) {
      const [col, per] = mine[c]!;
      col.set(snap.columns[c]!.subarray(from * per, (from + n) * per), to * per);
    }
  }

  /** Round-trip times of a snapshot's rows, moved to this table's rows (`map`: snapshot row -> row here, -1 none). */
  copyRtts(snap: StatsSnapshot, map: Int32Array): void {
    for (const [from, list] of snap.rtts) {
      const to = map[from]!;
      if (to >= 0) this.rtts.set(to, list);
    }
  }
}
