#!/usr/bin/env node
/**
 * The reference: the least work that still visits every packet of a classic
 * pcap. Reads the file in 1 MiB chunks (fs.readSync into one reused buffer),
 * reads each 16-byte record header and skips the packet bytes, carrying a
 * header or a packet that spans a chunk boundary into the next chunk.
 * Everything else a tool does costs throughput relative to this.
 *
 *   node bench/walk.mjs FILE [MAX_PACKETS]   prints {"packets":N,"bytes":B}
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CHUNK = 1 << 20;
const MAX_CAPLEN = 256 << 20;

/** Whether the classic pcap whose first `filled` bytes are in `buf` is little-endian (its magic); throws when it is no classic pcap. */
export function pcapLittleEndian(buf, filled, file) {
  if (filled < 24) throw new Error(`${file}: shorter than a pcap global header`);
  const magic = buf.readUInt32LE(0);
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) return true;
  if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) return false;
  throw new Error(`${file}: not a classic pcap (magic 0x${magic.toString(16)})`);
}

/**
 * Walk `file`; stop after `maxPackets` records. Returns the packet count and the
 * bytes consumed (global header + record headers + packet data).
 */
export function walkPcap(file, maxPackets = Infinity) {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    let filled = readSync(fd, buf, 0, CHUNK, null);
    const le = pcapLittleEndian(buf, filled, file);
    let pos = 24;
    let base = 0; // file offset of buf[0]
    let packets = 0;
    while (packets < maxPackets) {
      if (filled - pos < 16) {
        // Record header spans the boundary (or the chunk is used up): keep the tail, read on.
        const tail = filled - pos;
        buf.copy(buf, 0, pos, filled);
        base += pos;
        const n = readSync(fd, buf, tail, CHUNK - tail, null);
        filled = tail + n;
        pos = 0;
        if (filled < 16) {
          if (filled > 0) throw new Error(`${file}: ${filled} stray bytes at the end`);
          break;
        }
      }
      const capLen = le ? buf.readUInt32LE(pos + 8) : buf.readUInt32BE(pos + 8);
      if (capLen > MAX_CAPLEN) throw new Error(`${file}: record ${packets + 1} claims ${capLen} bytes`);
      pos += 16;
      packets++;
      if (filled - pos >= capLen) {
        pos += capLen;
        continue;
      }
      // The packet runs past this chunk: read (not seek) through its remaining bytes.
      let skip = capLen - (filled - pos);
      base += filled;
      pos = 0;
      filled = 0;
      while (skip > 0) {
        const n = readSync(fd, buf, 0, CHUNK, null);
        if (n === 0) throw new Error(`${file}: record ${packets} cut short`);
        if (n >= skip) {
          filled = n;
          pos = skip;
          skip = 0;
        } else {
          base += n;
          skip -= n;
        }
      }
    }
    return { packets, bytes: base + pos };
  } finally {
    closeSync(fd);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node bench/walk.mjs FILE [MAX_PACKETS]');
    process.exit(2);
  }
  const max = process.argv[3] ? Number(process.argv[3]) : Infinity;
  console.log(JSON.stringify(walkPcap(file, max)));
}
