#!/usr/bin/env node
/**
 * Issue #5's "rough prototype", rebuilt so that every bench run measures it
 * beside podpath: the issue's targets were set from its figures ("about 0.8
 * of the walk on large packets and 5.4 M packets/s on small ones"), taken
 * once, before any code existed, on a machine whose speed varies from hour
 * to hour. What it does, and nothing more: read a classic pcap as the walk
 * does (1 MiB fs.readSync chunks into one reused buffer), decode Ethernet
 * (one 802.1Q tag), IPv4, UDP to port 4789 and VXLAN, IPIP, and the inner
 * Ethernet and IPv4, and count packets and bytes per (outer source, outer
 * destination, inner source, inner destination) in a preallocated
 * open-addressing table. No TCP, no ports, no timestamps, no attribution,
 * no findings, no report.
 *
 *   node bench/prototype.mjs FILE   prints {"packets":N,"bytes":B,"pairs":P,"tunnelled":T,"folded":F}
 *
 * `bytes` is the file bytes consumed (as the walk's); `pairs` the table's
 * entries; `tunnelled` the packets with an inner IPv4 header; `folded` the
 * packets whose key did not fit the table (none on the bench's files).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { pcapLittleEndian } from './walk.mjs';

const CHUNK = 1 << 20;
/** Room after a chunk for the rest of a record that started in it: tcpdump's largest snap length (262,144); larger records are refused. */
const SLACK = 256 << 10;
const SLOTS = 1 << 18;
const MASK = SLOTS - 1;
/** Entries the table takes: half its slots. */
const MAX_PAIRS = SLOTS >>> 1;

/** Count `file`'s packets per outer and inner IPv4 pair. */
export function prototypePcap(file) {
  const fd = openSync(file, 'r');
  // A chunk, up to 15 bytes of a record header carried before it, and the rest of a record that ends past it.
  const buf = Buffer.allocUnsafe(CHUNK + 16 + 16 + SLACK);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  // The table: key words, entry number + 1 per slot, packets and bytes per entry.
  const keys = new Int32Array(MAX_PAIRS * 4);
  const slots = new Int32Array(SLOTS);
  const packetsOf = new Float64Array(MAX_PAIRS);
  const bytesOf = new Float64Array(MAX_PAIRS);
  let pairs = 0;
  let folded = 0;
  let tunnelled = 0;

  function count(a, b, c, d, len) {
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ 0x7f4a7c15, 0x85ebca6b) ^ Math.imul(c ^ 0x2545f491, 0xc2b2ae35) ^ Math.imul(d ^ 0x68e31da4, 0x27d4eb2f);
    h ^= h >>> 15;
    let s = h & MASK;
    for (;;) {
      const v = slots[s];
      if (v === 0) {
        if (pairs === MAX_PAIRS) {
          folded++;
          return;
        }
        const e = pairs++;
        keys[e * 4] = a;
        keys[e * 4 + 1] = b;
        keys[e * 4 + 2] = c;
        keys[e * 4 + 3] = d;
        slots[s] = e + 1;
        packetsOf[e] = 1;
        bytesOf[e] = len;
        return;
      }
      const e = v - 1;
      if (keys[e * 4] === a && keys[e * 4 + 1] === b && keys[e * 4 + 2] === c && keys[e * 4 + 3] === d) {
        packetsOf[e]++;
        bytesOf[e] += len;
        return;
      }
      s = (s + 1) & MASK;
    }
  }

  /** IPv4 header at `o` (the frame's captured bytes end at `end`): its addresses and, for IPIP or VXLAN, the inner pair's. */
  function ipv4(o, end, len) {
    if (end - o < 20 || buf[o] >>> 4 !== 4) return;
    const ihl = (buf[o] & 15) * 4;
    const src = dv.getInt32(o + 12);
    const dst = dv.getInt32(o + 16);
    const proto = buf[o + 9];
    let inner = -1;
    if (proto === 4) inner = o + ihl;
    else if (proto === 17 && end - o >= ihl + 8 + 8 + 14 && dv.getUint16(o + ihl + 2) === 4789) {
      const eth = o + ihl + 8 + 8;
      if (dv.getUint16(eth + 12) === 0x0800) inner = eth + 14;
    }
    if (inner >= 0 && end - inner >= 20 && buf[inner] >>> 4 === 4) {
      tunnelled++;
      count(src, dst, dv.getInt32(inner + 12), dv.getInt32(inner + 16), len);
    } else count(src, dst, 0, 0, len);
  }

  function frame(o, capLen, len) {
    const end = o + capLen;
    if (capLen < 14) return;
    let type = dv.getUint16(o + 12);
    let ip = o + 14;
    if (type === 0x8100 && capLen >= 18) {
      type = dv.getUint16(o + 16);
      ip = o + 18;
    }
    if (type === 0x0800) ipv4(ip, end, len);
  }

  try {
    let filled = readSync(fd, buf, 0, CHUNK, null);
    const le = pcapLittleEndian(buf, filled, file);
    if (dv.getUint32(20, le) !== 1) throw new Error(`${file}: link type ${dv.getUint32(20, le)}, not Ethernet`);
    let pos = 24;
    let base = 0; // file offset of buf[0]
    let packets = 0;
    for (;;) {
      if (filled - pos < 16) {
        // The record header spans the chunk's end: keep the tail, read on.
        const tail = filled - pos;
        buf.copy(buf, 0, pos, filled);
        base += pos;
        pos = 0;
        filled = tail + readSync(fd, buf, tail, CHUNK, null);
        if (filled < 16) {
          if (filled > 0) throw new Error(`${file}: ${filled} stray bytes at the end`);
          break;
        }
      }
      const capLen = dv.getUint32(pos + 8, le);
      const wireLen = dv.getUint32(pos + 12, le);
      if (capLen > SLACK) throw new Error(`${file}: record ${packets + 1} claims ${capLen} bytes`);
      if (filled - pos < 16 + capLen) {
        // The packet runs past the chunk: read its rest after it (SLACK has room).
        const n = readSync(fd, buf, filled, 16 + capLen - (filled - pos), null);
        if (n < 16 + capLen - (filled - pos)) throw new Error(`${file}: record ${packets + 1} cut short`);
        filled += n;
      }
      frame(pos + 16, capLen, wireLen);
      packets++;
      pos += 16 + capLen;
    }
    return { packets, bytes: base + pos, pairs, tunnelled, folded, table: { keys, packetsOf, bytesOf } };
  } finally {
    closeSync(fd);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/prototype.mjs FILE');
    process.exit(2);
  }
  const { table: _t, ...r } = prototypePcap(file);
  console.log(JSON.stringify(r));
}
