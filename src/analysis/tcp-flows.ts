/**
 * TCP sequence tracking of pod connections, for the MTU black hole: full-size
 * segments sent again and again while smaller ones get through (RFC 9293
 * sequence arithmetic; RFC 2923 describes the black hole).
 *
 * One entry per connection and capture interface (both directions in one
 * entry, so an ACK finds the data it acknowledges without a second look-up);
 * per direction: the highest sequence sent, the highest acknowledged, the
 * largest segment, and the segment sent most often. Numbers only: objects are
 * made when a connection is first seen, never per packet.
 */
import type { Layer } from '../decode/packet.js';
import { KeyTable, growI32, leading } from './key-table.js';

const HAS_DATA = 1;
const HAS_ACK = 2;
const PENDING = 4;

/** True when sequence number a comes before b (mod 2^32). */
const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;

/**
 * A packet's time (seconds, nanoseconds) as microseconds modulo 2^32, as a signed 32-bit integer
 * (what fold takes). From the two integers, not from a time in seconds: a double passed to a call
 * V8 does not inline is a heap number, and whether it inlines this one depends on the caller's
 * inlining budget. Pass `sec` as `sec | 0` (a count above 2^31 is a double too).
 */
export const microseconds = (sec: number, nsec: number): number => (Math.imul(sec, 1_000_000) + ((nsec / 1000) | 0)) | 0;

/** A stats reference meaning "none". */
export const NO_REF = 0x7fffffff;

export interface FlowTableSnapshot {
  keys: Uint32Array;
  /** Sequence numbers as signed 32-bit words: modulo 2^32 arithmetic is all that is done with them. */
  rows: Int32Array;
  refs: Int32Array;
}

export interface TcpFlowsSnapshot {
  v4: FlowTableSnapshot;
  v6: FlowTableSnapshot;
  overflow: number;
}

/** One side's view at report time. */
export interface TcpDirection {
  /** The stats reference (Collector) of the path or conversation that carried this direction's data. */
  stats: number;
  /** Data segments sent again (sequence range already sent), copies on other interfaces excluded. */
  retransmissions: number;
  /** The segment sent most often: how many times in all, its payload bytes, its first retransmission's frame. */
  mostSent: number;
  mostSentLength: number;
  mostSentIpLength: number;
  mostSentFrame: number;
  /** Whether that segment was acknowledged in the capture. */
  mostSentAcked: boolean;
  /** Smallest payload among retransmitted segments (0: none). */
  minRetransmittedLength: number;
  /** Largest payload among segments seen to be acknowledged, in this direction and in the other (0: none). */
  maxAckedLength: number;
  peerMaxAckedLength: number;
}

// Per-connection state, ENTRY words per connection. Every segment reads and
// writes the hot words of both directions (its own, and the other's for the
// acknowledgement): they share the entry's first 64 bytes. The cold words
// (retransmissions, the most-sent segment) change only on retransmissions
// and acknowledgements of a pending segment.
//   hot, 8 words per side at entry + side * 8
const FLAGS = 0;
const HIGH_END = 1; // next sequence number after the highest sent
const ACKED = 2; // highest acknowledgement received for this direction's data
const LAST_SEQ = 3;
const LAST_US = 4; // time of the last segment, microseconds mod 2^32 (for the -i any copy test)
const PENDING_END = 5; // a first-sent segment waiting for its acknowledgement
const PENDING_LEN = 6;
const SEGMENTS = 7; // segments folded in (to count them as overflow when a merge finds no room)
//   cold, 16 words per side at entry + 16 + side * 16
const RETRANS = 0;
const MIN_RETRANS_LEN = 1;
const REPEAT_SEQ = 2; // the segment being sent again now, how often, and from which frame
const REPEAT = 3;
const REPEAT_FRAME = 4;
const MOST_SEQ = 5; // the segment sent most often so far
const MOST = 6;
const MOST_LEN = 7;
const MOST_IP_LEN = 8;
const MOST_FRAME = 9;
const MAX_ACKED_LEN = 10;
/** Words per connection: a multiple of 16, so the hot words keep to one 64-byte line. */
const ENTRY = 48;

/** Connections past which the rows are made at the table's full size (see grow). */
const FULL_FROM = 1024;

/** Hot and cold word offsets of direction row `dir` (entry * 2 + side). */
const hotAt = (dir: number): number => (dir >>> 1) * ENTRY + (dir & 1) * 8;
const coldAt = (dir: number): number => (dir >>> 1) * ENTRY + 16 + (dir & 1) * 16;

/**
 * Connections of one address family: IPv4 keys are capture, interface,
 * lower address, higher address, ports (5 words); IPv6 keys carry four
 * words per address (11).
 */
class FlowTable {
  readonly keys: KeyTable;
  private d: Int32Array = new Int32Array(256 * ENTRY);
  /** Per direction row: the stats reference of the path or conversation that carried its data (NO_REF: none yet). */
  private refs: Int32Array = new Int32Array(256 * 2);

  constructor(width: number, maxEntries: number) {
    this.keys = new KeyTable(width, maxEntries, 256);
  }

  /** Connections the rows have room for now, without growing (for tests). */
  get capacity(): number {
    return this.d.length / ENTRY;
  }

  /**
   * After the key is in `keys.probe`: the row of direction `side` (entry * 2 + side), made
   * empty when the connection is new; -1 when the table is full.
   */
  row(side: number): number {
    const e = this.keys.lookup();
    if (e < 0) return -1;
    const dir = e * 2 + side;
    if ((e + 1) * ENTRY > this.d.length) this.grow(e);
    if (this.keys.inserted) {
      this.d.fill(0, e * ENTRY, (e + 1) * ENTRY);
      this.refs[e * 2] = NO_REF;
      this.refs[e * 2 + 1] = NO_REF;
    }
    return dir;
  }

  /**
   * Fold one segment into direction row `dir` (known to exist): the fast path
   * calls this directly. Numbers are passed as signed 32-bit integers (`seq`,
   * `ack` with `| 0`; `us` = microseconds(time)): V8 passes those unboxed,
   * where a double (an unsigned sequence number above 2^31, a time in
   * seconds) would be a heap number allocated on every call.
   */
  fold(dir: number, flags: number, seq: number, ack: number, len: number, ipLength: number, us: number, frame: number, ref: number, tunnelled: boolean): void {
    const i = hotAt(dir);
    const j = hotAt(dir ^ 1);
    const d = this.d;
    d[i + SEGMENTS] = d[i + SEGMENTS]! + 1;
    // The acknowledgement is about the other direction's data.
    if ((flags & 0x10) !== 0) {
      const f = d[j + FLAGS]!;
      if ((f & HAS_ACK) === 0 || before(d[j + ACKED]!, ack)) {
        d[j + ACKED] = ack;
        d[j + FLAGS] = f | HAS_ACK;
      }
      if ((d[j + FLAGS]! & PENDING) !== 0 && !before(ack, d[j + PENDING_END]!)) {
        const cj = coldAt(dir ^ 1);
        if (d[j + PENDING_LEN]! > d[cj + MAX_ACKED_LEN]!) d[cj + MAX_ACKED_LEN] = d[j + PENDING_LEN]!;
        d[j + FLAGS] = d[j + FLAGS]! & ~PENDING;
      }
    }
    if ((flags & 0x02) !== 0) {
      // SYN: the sequence space starts here (the SYN takes one number).
      d[i + HIGH_END] = (seq + 1) | 0;
      d[i + FLAGS] = d[i + FLAGS]! | HAS_DATA;
      return;
    }
    // Keep-alives and window probes (0-1 bytes) say nothing about sizes.
    if (len <= 1) return;
    const f = d[i + FLAGS]!;
    // The same segment again within a millisecond: one packet seen on two interfaces (-i any).
    if ((f & HAS_DATA) !== 0 && seq === d[i + LAST_SEQ] && ((us - d[i + LAST_US]!) | 0) >= 0 && ((us - d[i + LAST_US]!) | 0) < 1000) return;
    const end = (seq + len) | 0; // signed, as the rows hold it (before() takes int32s: a u32 above 2^31 deoptimised it)
    if ((f & HAS_DATA) !== 0 && before(seq, d[i + HIGH_END]!)) {
      const ci = coldAt(dir);
      d[ci + RETRANS] = d[ci + RETRANS]! + 1;
      if (d[ci + MIN_RETRANS_LEN] === 0 || len < d[ci + MIN_RETRANS_LEN]!) d[ci + MIN_RETRANS_LEN] = len;
      if (seq === d[ci + REPEAT_SEQ] && d[ci + REPEAT]! > 0) d[ci + REPEAT] = d[ci + REPEAT]! + 1;
      else {
        d[ci + REPEAT_SEQ] = seq;
        d[ci + REPEAT] = 2; // the first sending and this one
        d[ci + REPEAT_FRAME] = frame;
      }
      if (d[ci + REPEAT]! > d[ci + MOST]!) {
        d[ci + MOST_FRAME] = d[ci + REPEAT_FRAME]!;
        d[ci + MOST] = d[ci + REPEAT]!;
        d[ci + MOST_SEQ] = seq;
        d[ci + MOST_LEN] = len;
        d[ci + MOST_IP_LEN] = ipLength;
      }
      if (before(d[i + HIGH_END]!, end)) d[i + HIGH_END] = end;
    } else {
      d[i + HIGH_END] = end;
      if ((f & PENDING) === 0) {
        d[i + PENDING_END] = end;
        d[i + PENDING_LEN] = len;
        d[i + FLAGS] = f | HAS_DATA | PENDING;
      } else {
        d[i + FLAGS] = f | HAS_DATA;
      }
    }
    d[i + LAST_SEQ] = seq;
    d[i + LAST_US] = us;
    const owner = this.refs[dir]!;
    if (owner !== ref && (tunnelled || owner === NO_REF)) this.refs[dir] = ref;
  }

  /**
   * Room for connection e's rows: doubling up to FULL_FROM connections, then the table's
   * most at once (as StatsTable does): pages never written take no memory, and no copy of
   * 12 MiB of rows stands beside 19 MiB of new ones while a scan fills the table.
   */
  private grow(e: number): void {
    let n = this.d.length * 2;
    while ((e + 1) * ENTRY > n) n *= 2;
    if (n > FULL_FROM * ENTRY) n = this.keys.maxEntries * ENTRY;
    n = Math.min(n, this.keys.maxEntries * ENTRY);
    this.d = growI32(this.d, n);
    this.refs = growI32(this.refs, (n / ENTRY) * 2);
  }

  /** Everything this table holds: copies, or (`copy` false) views on its own arrays. */
  snapshot(copy = true): FlowTableSnapshot {
    const n = this.keys.size;
    return { keys: this.keys.keyWords(copy), rows: leading(this.d, n * ENTRY, copy), refs: leading(this.refs, n * 2, copy) };
  }

  /**
   * Add another table's connections (from a collector of one capture), as if their packets came
   * now; `stats` maps its stats references to this collector's (NO_REF: the row did not fit).
   */
  absorb(snap: FlowTableSnapshot, base: number, stats: (ref: number) => number): number {
    const w = this.keys.width;
    const k = this.keys.probe;
    let overflow = 0;
    for (let e = 0; e * w < snap.keys.length; e++) {
      for (let x = 0; x < w; x++) k[x] = snap.keys[e * w + x]!;
      k[0] = base + k[0]!;
      const ne = this.keys.lookup();
      const from = e * ENTRY;
      if (ne < 0) {
        overflow += (snap.rows[hotAt(e * 2) + SEGMENTS]! >>> 0) + (snap.rows[hotAt(e * 2 + 1) + SEGMENTS]! >>> 0);
        continue;
      }
      if ((ne + 1) * ENTRY > this.d.length) this.grow(ne);
      this.d.set(snap.rows.subarray(from, from + ENTRY), ne * ENTRY);
      for (let side = 0; side < 2; side++) this.refs[ne * 2 + side] = stats(snap.refs[e * 2 + side]!);
    }
    return overflow;
  }

  *directions(): Generator<TcpDirection> {
    const d = this.d;
    for (let dir = 0; dir < this.keys.size * 2; dir++) {
      const st = this.refs[dir]!;
      if (st === NO_REF) continue;
      const i = hotAt(dir);
      const ci = coldAt(dir);
      const cj = coldAt(dir ^ 1);
      const mostEnd = (d[ci + MOST_SEQ]! + d[ci + MOST_LEN]!) >>> 0;
      yield {
        stats: st,
        retransmissions: d[ci + RETRANS]! >>> 0,
        mostSent: d[ci + MOST]! >>> 0,
        mostSentLength: d[ci + MOST_LEN]! >>> 0,
        mostSentIpLength: d[ci + MOST_IP_LEN]! >>> 0,
        mostSentFrame: d[ci + MOST_FRAME]! >>> 0,
        mostSentAcked: (d[i + FLAGS]! & HAS_ACK) !== 0 && !before(d[i + ACKED]!, mostEnd),
        minRetransmittedLength: d[ci + MIN_RETRANS_LEN]! >>> 0,
        maxAckedLength: d[ci + MAX_ACKED_LEN]! >>> 0,
        peerMaxAckedLength: d[cj + MAX_ACKED_LEN]! >>> 0,
      };
    }
  }
}

/** Both families; the collector writes keys through `v4`/`v6` and calls `add`. */
export class TcpFlows {
  readonly v4: FlowTable;
  readonly v6: FlowTable;
  /** Segments of connections that did not fit the tables. */
  overflow = 0;
  /** The direction row the last `add` folded into (-1: no room); for the collector's flow cache. */
  lastDir = -1;

  constructor(maxEntries: number) {
    this.v4 = new FlowTable(5, maxEntries);
    this.v6 = new FlowTable(11, maxEntries);
  }

  /** Fold in one TCP segment (`t`) carried by IP layer `ip`, seen on `capture`/`iface` at `us` (microseconds). */
  add(capture: number, iface: number, ip: Layer, t: Layer, v6: boolean, us: number, frame: number, ref: number, tunnelled: boolean): void {
    const dir = v6 ? this.row6(capture, iface, ip.src6, ip.dst6, t.srcPort, t.dstPort) : this.row4(capture, iface, ip.src | 0, ip.dst | 0, t.srcPort, t.dstPort);
    if (dir < 0) this.overflow++;
    else (v6 ? this.v6 : this.v4).fold(dir, t.tcpFlags, t.seq | 0, t.ack | 0, t.payloadLength, ip.totalLength, us, frame, ref, tunnelled);
    this.lastDir = dir;
  }

  /**
   * The IPv4 connection's row for the direction from `src`:`srcPort` (made when new), to
   * fold segments into with `v4.fold`; -1 when the table is full (the caller counts the
   * segment in `overflow`).
   */
  row4(capture: number, iface: number, srcBits: number, dstBits: number, srcPort: number, dstPort: number): number {
    // The addresses may come signed (`| 0`, unboxed); compared unsigned.
    const src = srcBits >>> 0;
    const dst = dstBits >>> 0;
    const k = this.v4.keys.probe;
    const side = src < dst || (src === dst && srcPort <= dstPort) ? 0 : 1;
    k[0] = capture;
    k[1] = iface;
    k[2] = side === 0 ? src : dst;
    k[3] = side === 0 ? dst : src;
    k[4] = side === 0 ? ((srcPort << 16) | dstPort) >>> 0 : ((dstPort << 16) | srcPort) >>> 0;
    return this.v4.row(side);
  }

  /** row4 for IPv6 (`fold` into `v6`): addresses compared and keyed as their four words. */
  row6(capture: number, iface: number, a: Uint32Array, b: Uint32Array, srcPort: number, dstPort: number): number {
    const k = this.v6.keys.probe;
    let c = 0;
    for (let w = 0; w < 4 && c === 0; w++) c = a[w]! < b[w]! ? -1 : a[w]! > b[w]! ? 1 : 0;
    const side = c < 0 || (c === 0 && srcPort <= dstPort) ? 0 : 1;
    const lo = side === 0 ? a : b;
    const hi = side === 0 ? b : a;
    k[0] = capture;
    k[1] = iface;
    for (let w = 0; w < 4; w++) {
      k[2 + w] = lo[w]!;
      k[6 + w] = hi[w]!;
    }
    k[10] = side === 0 ? ((srcPort << 16) | dstPort) >>> 0 : ((dstPort << 16) | srcPort) >>> 0;
    return this.v6.row(side);
  }

  snapshot(copy = true): TcpFlowsSnapshot {
    return { v4: this.v4.snapshot(copy), v6: this.v6.snapshot(copy), overflow: this.overflow };
  }

  /** Add another collector's connections; its capture numbers are shifted by `base`. */
  absorbAt(snap: TcpFlowsSnapshot, base: number, stats: (ref: number) => number): void {
    this.overflow += snap.overflow + this.v4.absorb(snap.v4, base, stats) + this.v6.absorb(snap.v6, base, stats);
  }

  *directions(): Generator<TcpDirection> {
    yield* this.v4.directions();
    yield* this.v6.directions();
  }
}
