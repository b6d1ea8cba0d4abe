/**
 * Internet checksum (RFC 1071) of a TCP or UDP segment with its IP
 * pseudo-header (RFC 793, RFC 768, RFC 8200 section 8.1), read straight from
 * the packet bytes: no allocation. Used by the analysis to spot checksum
 * offload problems; the decoder itself never verifies checksums.
 */
import { type PacketView, Proto } from './packet.js';

export const CHECKSUM_UNKNOWN = -1;
export const CHECKSUM_BAD = 0;
export const CHECKSUM_OK = 1;

function sum16(b: Uint8Array, start: number, end: number, acc: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) acc += (b[i]! << 8) | b[i + 1]!;
  if (i < end) acc += b[i]! << 8;
  return acc;
}

/**
 * Verify the checksum of the TCP/UDP layer at index t carried by the IP layer at index ip.
 * UNKNOWN when it cannot be checked: bytes missing (snaplen), a fragment, or a UDP checksum of 0 over IPv4 (none sent).
 */
export function transportChecksum(pv: PacketView, ip: number, t: number): number {
  const l = pv.layers[ip]!;
  const tl = pv.layers[t]!;
  if (tl.quoted || (tl.proto !== Proto.Tcp && tl.proto !== Proto.Udp)) return CHECKSUM_UNKNOWN;
  if (l.mf || l.fragOffset > 0) return CHECKSUM_UNKNOWN;
  if (tl.proto === Proto.Udp && tl.checksum === 0) return l.proto === Proto.Ipv4 ? CHECKSUM_UNKNOWN : CHECKSUM_BAD;
  const segLen = l.payloadLength;
  const b = pv.buf;
  const start = pv.base + tl.offset;
  const end = start + segLen;
  if (segLen < (tl.proto === Proto.Tcp ? 20 : 8) || end > pv.base + pv.capLen || end > b.length) return CHECKSUM_UNKNOWN;
  let acc = 0;
  if (l.proto === Proto.Ipv4) {
    acc += (l.src >>> 16) + (l.src & 0xffff) + (l.dst >>> 16) + (l.dst & 0xffff);
  } else {
    for (let i = 0; i < 4; i++) acc += (l.src6[i]! >>> 16) + (l.src6[i]! & 0xffff) + (l.dst6[i]! >>> 16) + (l.dst6[i]! & 0xffff);
  }
  acc += (tl.proto === Proto.Tcp ? 6 : 17) + (segLen >>> 16) + (segLen & 0xffff);
  acc = sum16(b, start, end, acc);
  while (acc > 0xffff) acc = (acc & 0xffff) + Math.floor(acc / 0x10000);
  return acc === 0xffff ? CHECKSUM_OK : CHECKSUM_BAD;
}
