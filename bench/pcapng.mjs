/**
 * The bench's pcapng copies: a classic pcap rewritten as what dumpcap or
 * Wireshark would save of the same packets. One Section Header Block, one
 * Interface Description Block (the pcap's link type and snap length, named
 * `eth1`, if_tsresol 9 for a nanosecond pcap), then one Enhanced Packet
 * Block per record with the same timestamp, lengths and bytes. Little-endian,
 * no other options. Streamed in 1 MiB pieces; the output depends only on the
 * input's bytes.
 *
 *   node bench/pcapng.mjs IN.pcap OUT.pcapng
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const CHUNK = 1 << 20;
const SHB = 0x0a0d0d0a;
const IDB = 1;
const EPB = 6;

/** Copy classic pcap `src` to pcapng `dst`; returns the packets written. */
export function writePcapngCopy(src, dst) {
  const inFd = openSync(src, 'r');
  const outFd = openSync(dst, 'w');
  try {
    const out = new PieceWriter(outFd);
    let buf = Buffer.alloc(CHUNK);
    let filled = readSync(inFd, buf, 0, CHUNK, null);
    if (filled < 24) throw new Error(`${src}: shorter than a pcap header`);
    const magic = buf.readUInt32LE(0);
    const le = magic === 0xa1b2c3d4 || magic === 0xa1b23c4d;
    if (!le && magic !== 0xd4c3b2a1 && magic !== 0x4d3cb2a1) throw new Error(`${src}: not a classic pcap`);
    const nano = magic === 0xa1b23c4d || magic === 0x4d3cb2a1;
    const u32 = (b, o) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    writeHeaders(out, u32(buf, 20) & 0xffff, u32(buf, 16), nano);
    let pos = 24;
    let packets = 0;
    for (;;) {
      if (filled - pos < 16 || filled - pos < 16 + u32(buf, pos + 8)) {
        // Keep the unfinished record, read on (growing the buffer for a record larger than it).
        const need = filled - pos >= 16 ? 16 + u32(buf, pos + 8) : 16;
        const next = need > buf.length ? Buffer.alloc(need) : buf;
        buf.copy(next, 0, pos, filled);
        buf = next;
        filled -= pos;
        pos = 0;
        const n = readSync(inFd, buf, filled, buf.length - filled, null);
        if (n === 0) {
          if (filled > 0) throw new Error(`${src}: ${filled} bytes of a cut-short record at the end`);
          break;
        }
        filled += n;
        continue;
      }
      const capLen = u32(buf, pos + 8);
      const units = BigInt(u32(buf, pos)) * (nano ? 1_000_000_000n : 1_000_000n) + BigInt(u32(buf, pos + 4));
      const pad = (4 - (capLen & 3)) & 3;
      const total = 32 + capLen + pad;
      const h = out.take(28);
      h.writeUInt32LE(EPB, 0);
      h.writeUInt32LE(total, 4);
      h.writeUInt32LE(0, 8);
      h.writeUInt32LE(Number(units >> 32n), 12);
      h.writeUInt32LE(Number(units & 0xffffffffn), 16);
      h.writeUInt32LE(capLen, 20);
      h.writeUInt32LE(u32(buf, pos + 12), 24);
      out.copy(buf, pos + 16, pos + 16 + capLen);
      const t = out.take(pad + 4);
      t.fill(0, 0, pad);
      t.writeUInt32LE(total, pad);
      pos += 16 + capLen;
      packets++;
    }
    out.flush();
    return packets;
  } finally {
    closeSync(inFd);
    closeSync(outFd);
  }
}

/** SHB (version 1.0, section length unknown) and the one IDB. */
function writeHeaders(out, linkType, snapLen, nano) {
  const shb = out.take(28);
  shb.writeUInt32LE(SHB, 0);
  shb.writeUInt32LE(28, 4);
  shb.writeUInt32LE(0x1a2b3c4d, 8);
  shb.writeUInt16LE(1, 12);
  shb.writeUInt16LE(0, 14);
  shb.writeInt32LE(-1, 16);
  shb.writeInt32LE(-1, 20);
  shb.writeUInt32LE(28, 24);
  // if_name "eth1" (option 2, 4 bytes), if_tsresol 9 for nanoseconds (option 9, 1 byte + 3 padding), opt_endofopt.
  const options = 8 + (nano ? 8 : 0) + 4;
  const total = 20 + options;
  const idb = out.take(total);
  idb.fill(0);
  idb.writeUInt32LE(IDB, 0);
  idb.writeUInt32LE(total, 4);
  idb.writeUInt16LE(linkType, 8);
  idb.writeUInt32LE(snapLen, 12);
  idb.writeUInt16LE(2, 16);
  idb.writeUInt16LE(4, 18);
  idb.write('eth1', 20, 'latin1');
  if (nano) {
    idb.writeUInt16LE(9, 24);
    idb.writeUInt16LE(1, 26);
    idb[28] = 9;
  }
  idb.writeUInt32LE(total, total - 4);
}

/** Output gathered in one 1 MiB buffer, written when full. */
class PieceWriter {
  constructor(fd) {
    this.fd = fd;
    this.buf = Buffer.alloc(CHUNK);
    this.at = 0;
  }

  /** `n` bytes of the buffer to fill in now. */
  take(n) {
    if (this.at + n > this.buf.length) this.flush();
    const piece = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return piece;
  }

  copy(src, from, to) {
    if (this.at + (to - from) > this.buf.length) this.flush();
    if (to - from > this.buf.length) {
      writeSync(this.fd, src, from, to - from);
      return;
    }
    src.copy(this.buf, this.at, from, to);
    this.at += to - from;
  }

  flush() {
    if (this.at > 0) writeSync(this.fd, this.buf, 0, this.at);
    this.at = 0;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const [src, dst] = process.argv.slice(2);
  if (!src || !dst) {
    console.error('usage: node bench/pcapng.mjs IN.pcap OUT.pcapng');
    process.exit(2);
  }
  console.log(`${writePcapngCopy(src, dst)} packets`);
}
