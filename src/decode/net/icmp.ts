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
import { type PacketView, Proto } from '../packet.js';

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
  if (type === 2) l.mtu = u32be(b, o + 4);
  if (type >= 1 && type <= 4 && !cur.quoted) {
    cur.off = o + 8;
    cur.quoted = true;
    return Next.Ipv6;
  }
  return Next.Done;
}
