/**
 * ICMP (RFC 792, RFC 1191) and ICMPv6 (RFC 4443).
 *
 * | Type | Code | Checksum |
 * | rest of header (4): echo id + seq; frag-needed: unused (2) + next-hop MTU (2);
 *                       ICMPv6 packet too big: MTU (4) |
 * | data: for errors, the offending packet's IP header and at least 8 bytes |
 *
 * The quoted packet is decoded into layers marked `quoted`, so that a
 * fragmentation-needed message names the flow it stopped.
 */
import { u16be, u32be } from '../../bytes.js';
import { addLayer, type Cursor, Next, short } from '../cursor.js';
import { type Layer, type PacketView, Proto } from '../packet.js';

export function decodeIcmp(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 8) return short(pv, cur, 'icmp.truncated_header');
  const l = addLayer(pv, cur, Proto.Icmp, 8);
  if (!l) return Next.Done;
  const type = b[o]!;
  const code = b[o + 1]!;
  l.icmpType = type;
  l.icmpCode = code;
  l.checksum = u16be(b, o + 2);
  l.mtu = -1;
  l.echoId = -1;
  l.echoSeq = -1;
  l.payloadLength = cur.end - o - 8;
  if (type === 0 || type === 8) {
    l.echoId = u16be(b, o + 4);
    l.echoSeq = u16be(b, o + 6);
    return Next.Done;
  }
  if (type === 3 && code === 4) l.mtu = u16be(b, o + 6);
  // Errors quote the original datagram; an error about an error is not followed.
  if ((type === 3 || type === 4 || type === 5 || type === 11 || type === 12) && !cur.quoted) {
    cur.off = o + 8;
    cur.quoted = true;
    return Next.Ipv4;
  }
  return Next.Done;
}

export function decodeIcmpv6(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 8) return short(pv, cur, 'icmpv6.truncated_header');
  const l = addLayer(pv, cur, Proto.Icmpv6, 8);
  if (!l) return Next.Done;
  const type = b[o]!;
  l.icmpType = type;
  l.icmpCode = b[o + 1]!;
  l.checksum = u16be(b, o + 2);
  l.mtu = -1;
  l.echoId = -1;
  l.echoSeq = -1;
  l.payloadLength = cur.end - o - 8;
  if (type === 128 || type === 129) {
    l.echoId = u16be(b, o + 4);
    l.echoSeq = u16be(b, o + 6);
    return Next.Done;
  }
  if ((type === 135 || type === 136) && !cur.quoted) {
    neighbourDiscovery(pv, l, b, o, cur.end, type);
    return Next.Done;
  }
  if (type === 2) l.mtu = u32be(b, o + 4);
  if (type >= 1 && type <= 4 && !cur.quoted) {
    cur.off = o + 8;
    cur.quoted = true;
    return Next.Ipv6;
  }
  return Next.Done;
}

/**
 * A neighbour solicitation or advertisement at `o` (RFC 4861): which MAC has which IPv6
 * address, into the layer's senderMac and ndpAddr (senderMac -1 when it tells none). An
 * advertisement tells its target's, from the target link-layer address option (type 2); a
 * solicitation its sender's (the IPv6 source, not :: as in duplicate address detection), from
 * the source link-layer address option (type 1). Options after the 24-byte message, each
 * type, length in 8-byte units, data; an Ethernet address option is 8 bytes.
 */
function neighbourDiscovery(pv: PacketView, l: Layer, b: Uint8Array, o: number, end: number, type: number): void {
  l.senderMac = -1;
  if (end - o < 24) return;
  const ip = pv.count >= 2 ? pv.layers[pv.count - 2]! : null;
  if (!ip || ip.proto !== Proto.Ipv6) return;
  const a = l.ndpAddr;
  if (type === 136) {
    for (let i = 0; i < 4; i++) a[i] = u32be(b, o + 8 + i * 4);
  } else {
    for (let i = 0; i < 4; i++) a[i] = ip.src6[i]!;
    if ((a[0]! | a[1]! | a[2]! | a[3]!) === 0) return;
  }
  const want = type === 136 ? 2 : 1;
  for (let p = o + 24; end - p >= 8; ) {
    const len = b[p + 1]! * 8;
    if (len === 0) return;
    if (b[p] === want && len === 8) {
      l.senderMac = u16be(b, p + 2) * 0x100000000 + u32be(b, p + 4);
      return;
    }
    p += len;
  }
}
