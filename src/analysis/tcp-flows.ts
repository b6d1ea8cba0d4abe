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
import { KeyTable, growU32 } from './key-table.js';

const HAS_DATA = 1;
const HAS_ACK = 2;
const PENDING = 4;

/** True when sequence number a comes before b (mod 2^32). */
const before = (a: number, b: number): boolean => ((a - b) | 0) < 0;

/** A stats reference meaning "none". */
export const NO_REF = 0x7fffffff;

export interface FlowTableSnapshot {
  keys: Uint32Array;
  rows: Uint32Array;
  refs: Int32Array;
}

export interface TcpFlowsSnapshot {
  v4: FlowTableSnapshot;
  v6: FlowTableSnapshot;
  overflow: number;
}

/** One side's view at report time. */
export interface TcpDirection<S> {
  /** The statistics object of the path or conversation that carried this direction's data. */
  stats: S;
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

// Per-direction state: one row of words per direction (entry * 2 + side), so
// a segment touches one or two cache lines rather than one per field.
const FLAGS = 0;
const HIGH_END = 1; // next sequence number after the highest sent
const ACKED = 2; // highest acknowledgement received for this direction's data
const LAST_SEQ = 3;
const LAST_US = 4; // time of the last segment, microseconds mod 2^32 (for the -i any copy test)
const RETRANS = 5;
const MIN_RETRANS_LEN = 6;
const REPEAT_SEQ = 7; // the segment being sent again now, how often, and from which frame
const REPEAT = 8;
const REPEAT_FRAME = 9;
const MOST_SEQ = 10; // the segment sent most often so far
const MOST = 11;
const MOST_LEN = 12;
const MOST_IP_LEN = 13;
const MOST_FRAME = 14;
const PENDING_END = 15; // a first-sent segment waiting for its acknowledgement
const PENDING_LEN = 16;
const MAX_ACKED_LEN = 17;
const SEGMENTS = 18; // segments folded in (to count them as overflow when a merge finds no room)
const STRIDE = 19;

/**
 * Connections of one address family: IPv4 keys are capture, interface,
 * lower address, higher address, ports (5 words); IPv6 keys carry four
 * words per address (11).
 */
class FlowTable<S> {
  readonly keys: KeyTable;
  private d: Uint32Array = new Uint32Array(512 * STRIDE);
  private readonly stats: (S | null)[] = [];

  constructor(width: number, maxEntries: number) {
    this.keys = new KeyTable(width, maxEntries, 256);
  }

  /** After the key is in `keys.probe`: fold one segment of direction `side` in. */
  add(side: number, ip: Layer, t: Layer, ts: number, frame: number, st: S, tunnelled: boolean): boolean {
    const e = this.keys.lookup();
    if (e < 0) return false;
    const dir = e * 2 + side;
    const i = dir * STRIDE;
    const j = (dir ^ 1) * STRIDE;
    if (j + 2 * STRIDE > this.d.length) this.d = growU32(this.d, this.d.length * 2);
    const d = this.d;
    if (this.keys.inserted) {
      d.fill(0, Math.min(i, j), Math.min(i, j) + 2 * STRIDE);
      this.stats[dir] = null;
      this.stats[dir ^ 1] = null;
    }
    d[i + SEGMENTS] = d[i + SEGMENTS]! + 1;
    const flags = t.tcpFlags;
    // The acknowledgement is about the other direction's data.
    if ((flags & 0x10) !== 0) {
      const f = d[j + FLAGS]!;
      if ((f & HAS_ACK) === 0 || before(d[j + ACKED]!, t.ack)) {
        d[j + ACKED] = t.ack;
        d[j + FLAGS] = f | HAS_ACK;
      }
      if ((d[j + FLAGS]! & PENDING) !== 0 && !before(t.ack, d[j + PENDING_END]!)) {
        if (d[j + PENDING_LEN]! > d[j + MAX_ACKED_LEN]!) d[j + MAX_ACKED_LEN] = d[j + PENDING_LEN]!;
        d[j + FLAGS] = d[j + FLAGS]! & ~PENDING;
      }
    }
    const seq = t.seq;
    if ((flags & 0x02) !== 0) {
      // SYN: the sequence space starts here (the SYN takes one number).
      d[i + HIGH_END] = (seq + 1) >>> 0;
      d[i + FLAGS] = d[i + FLAGS]! | HAS_DATA;
      return true;
    }
    const len = t.payloadLength;
    // Keep-alives and window probes (0-1 bytes) say nothing about sizes.
    if (len <= 1) return true;
    const f = d[i + FLAGS]!;
    const us = Math.floor(ts * 1e6) >>> 0;
    // The same segment again within a millisecond: one packet seen on two interfaces (-i any).
    if ((f & HAS_DATA) !== 0 && seq === d[i + LAST_SEQ] && ((us - d[i + LAST_US]!) | 0) >= 0 && ((us - d[i + LAST_US]!) | 0) < 1000) return true;
    const end = (seq + len) >>> 0;
    if ((f & HAS_DATA) !== 0 && before(seq, d[i + HIGH_END]!)) {
      d[i + RETRANS] = d[i + RETRANS]! + 1;
      if (d[i + MIN_RETRANS_LEN] === 0 || len < d[i + MIN_RETRANS_LEN]!) d[i + MIN_RETRANS_LEN] = len;
      if (seq === d[i + REPEAT_SEQ] && d[i + REPEAT]! > 0) d[i + REPEAT] = d[i + REPEAT]! + 1;
      else {
        d[i + REPEAT_SEQ] = seq;
        d[i + REPEAT] = 2; // the first sending and this one
        d[i + REPEAT_FRAME] = frame;
      }
      if (d[i + REPEAT]! > d[i + MOST]!) {
        d[i + MOST_FRAME] = d[i + REPEAT_FRAME]!;
        d[i + MOST] = d[i + REPEAT]!;
        d[i + MOST_SEQ] = seq;
        d[i + MOST_LEN] = len;
        d[i + MOST_IP_LEN] = ip.totalLength;
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
    if (tunnelled || !this.stats[dir]) this.stats[dir] = st;
    return true;
  }

  /** Everything this table holds, with each stats object replaced by `ref(stats)`. */
  snapshot(ref: (s: S) => number): FlowTableSnapshot {
    const n = this.keys.size * 2;
    const refs = new Int32Array(n);
    for (let dir = 0; dir < n; dir++) {
      const st = this.stats[dir];
      refs[dir] = st ? ref(st) : NO_REF;
    }
    return { keys: this.keys.keyWords(), rows: this.d.slice(0, n * STRIDE), refs };
  }

  /** Add another table's connections (from a collector of one capture), as if their packets came now. */
  absorb(snap: FlowTableSnapshot, base: number, stats: (ref: number) => S | null): number {
    const w = this.keys.width;
    const k = this.keys.probe;
    let overflow = 0;
    for (let e = 0; e * w < snap.keys.length; e++) {
      for (let x = 0; x < w; x++) k[x] = snap.keys[e * w + x]!;
      k[0] = base + k[0]!;
      const ne = this.keys.lookup();
      const from = e * 2 * STRIDE;
      if (ne < 0) {
        overflow += snap.rows[from + SEGMENTS]! + snap.rows[from + STRIDE + SEGMENTS]!;
        continue;
      }
      if ((ne + 1) * 2 * STRIDE > this.d.length) {
        let n = this.d.length * 2;
        while ((ne + 1) * 2 * STRIDE > n) n *= 2;
        this.d = growU32(this.d, n);
      }
      this.d.set(snap.rows.subarray(from, from + 2 * STRIDE), ne * 2 * STRIDE);
      for (let side = 0; side < 2; side++) {
        const r = snap.refs[e * 2 + side]!;
        this.stats[ne * 2 + side] = r === NO_REF ? null : stats(r);
      }
    }
    return overflow;
  }

  *directions(): Generator<TcpDirection<S>> {
    const d = this.d;
    for (let dir = 0; dir < this.keys.size * 2; dir++) {
      const st = this.stats[dir];
      if (!st) continue;
      const i = dir * STRIDE;
      const j = (dir ^ 1) * STRIDE;
      const mostEnd = (d[i + MOST_SEQ]! + d[i + MOST_LEN]!) >>> 0;
      yield {
        stats: st,
        retransmissions: d[i + RETRANS]!,
        mostSent: d[i + MOST]!,
        mostSentLength: d[i + MOST_LEN]!,
        mostSentIpLength: d[i + MOST_IP_LEN]!,
        mostSentFrame: d[i + MOST_FRAME]!,
        mostSentAcked: (d[i + FLAGS]! & HAS_ACK) !== 0 && !before(d[i + ACKED]!, mostEnd),
        minRetransmittedLength: d[i + MIN_RETRANS_LEN]!,
        maxAckedLength: d[i + MAX_ACKED_LEN]!,
        peerMaxAckedLength: d[j + MAX_ACKED_LEN]!,
      };
    }
  }
}

/** Both families; the collector writes keys through `v4`/`v6` and calls `add`. */
export class TcpFlows<S> {
  readonly v4: FlowTable<S>;
  readonly v6: FlowTable<S>;
  /** Segments of connections that did not fit the tables. */
  overflow = 0;

  constructor(maxEntries: number) {
    this.v4 = new FlowTable<S>(5, maxEntries);
    this.v6 = new FlowTable<S>(11, maxEntries);
  }

  /** Fold in one TCP segment (`t`) carried by IP layer `ip`, seen on `capture`/`iface`. */
  add(capture: number, iface: number, ip: Layer, t: Layer, v6: boolean, ts: number, frame: number, st: S, tunnelled: boolean): void {
    let side: number;
    let table: FlowTable<S>;
    if (!v6) {
      table = this.v4;
      const k = table.keys.probe;
      const a = ip.src;
      const b = ip.dst;
      side = a < b || (a === b && t.srcPort <= t.dstPort) ? 0 : 1;
      k[0] = capture;
      k[1] = iface;
      k[2] = side === 0 ? a : b;
      k[3] = side === 0 ? b : a;
      k[4] = side === 0 ? ((t.srcPort << 16) | t.dstPort) >>> 0 : ((t.dstPort << 16) | t.srcPort) >>> 0;
    } else {
      table = this.v6;
      const k = table.keys.probe;
      const a = ip.src6;
      const b = ip.dst6;
      let c = 0;
      for (let w = 0; w < 4 && c === 0; w++) c = a[w]! < b[w]! ? -1 : a[w]! > b[w]! ? 1 : 0;
      side = c < 0 || (c === 0 && t.srcPort <= t.dstPort) ? 0 : 1;
      const lo = side === 0 ? a : b;
      const hi = side === 0 ? b : a;
      k[0] = capture;
      k[1] = iface;
      for (let w = 0; w < 4; w++) {
        k[2 + w] = lo[w]!;
        k[6 + w] = hi[w]!;
      }
      k[10] = side === 0 ? ((t.srcPort << 16) | t.dstPort) >>> 0 : ((t.dstPort << 16) | t.srcPort) >>> 0;
    }
    if (!table.add(side, ip, t, ts, frame, st, tunnelled)) this.overflow++;
  }

  snapshot(ref: (s: S) => number): TcpFlowsSnapshot {
    return { v4: this.v4.snapshot(ref), v6: this.v6.snapshot(ref), overflow: this.overflow };
  }

  /** Add another collector's connections; its capture numbers are shifted by `base`. */
  absorbAt(snap: TcpFlowsSnapshot, base: number, stats: (ref: number) => S | null): void {
    this.overflow += snap.overflow + this.v4.absorb(snap.v4, base, stats) + this.v6.absorb(snap.v6, base, stats);
  }

  *directions(): Generator<TcpDirection<S>> {
    yield* this.v4.directions();
    yield* this.v6.directions();
  }
}
