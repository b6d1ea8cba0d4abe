/**
 * IPv4 (RFC 791).
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * |Version|  IHL  |   DSCP/ECN    |          Total Length         |
 * |         Identification        |Flags|     Fragment Offset     |
 * |  Time to Live |    Protocol   |        Header Checksum        |
 * |                       Source Address                          |
 * |                    Destination Address                        |
 * |                    Options (IHL > 5)                          |
 *
 * Total length 0 is what Linux writes for TSO/BIG TCP super-packets: the
 * payload then runs to the end of the frame. Non-first fragments carry no
 * transport header, so decoding stops at them.
 */
import { u16be, u32be } from '../../bytes.js';
import { addLayer, type Cursor, fail, Next, note, short } from '../cursor.js';
import { type PacketView, Proto, Status } from '../packet.js';

export function decodeIpv4(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 1) return short(pv, cur, 'ipv4.truncated_header');
  const version = b[o]! >>> 4;
  if (version === 6) {
    // Labelled IPv4 but carrying IPv6 (seen from broken writers and fuzzers): decode what is there.
    note(pv, cur, 'ipv4.version_is_6');
    return Next.Ipv6;
  }
  if (version !== 4) return cur.quoted ? Next.Done : fail(pv, cur, Status.Malformed, 'ipv4.bad_version');
  if (cur.end - o < 20) return short(pv, cur, 'ipv4.truncated_header');
  const ihl = (b[o]! & 0x0f) * 4;
  if (ihl < 20) return cur.quoted ? Next.Done : fail(pv, cur, Status.Malformed, 'ipv4.bad_ihl');
  if (cur.end - o < ihl) return short(pv, cur, 'ipv4.truncated_options');
  const l = addLayer(pv, cur, Proto.Ipv4, ihl);
  if (!l) return Next.Done;
  const total = u16be(b, o + 2);
  const frag = u16be(b, o + 6);
  l.ihl = ihl;
  l.tos = b[o + 1]!;
  l.totalLength = total;
  l.ipId = u16be(b, o + 4);
  l.df = (frag & 0x4000) !== 0;
  l.mf = (frag & 0x2000) !== 0;
  l.fragOffset = (frag & 0x1fff) * 8;
  l.ttl = b[o + 8]!;
  l.protocol = b[o + 9]!;
  l.src = u32be(b, o + 12);
  l.dst = u32be(b, o + 16);
  l.fragmentHeader = false;

  let end = cur.end;
  if (total === 0) {
    if (!cur.quoted) note(pv, cur, 'ipv4.zero_total_length');
  } else if (total < ihl) {
    return cur.quoted ? Next.Done : fail(pv, cur, Status.Malformed, 'ipv4.bad_total_length');
  } else if (o + total <= end) {
    end = o + total; // drop Ethernet padding and trailers
  } else if (cur.quoted || cur.partial) {
    // A quote or a first fragment holds only the start of this packet.
  } else if (end < cur.capEnd) {
    fail(pv, cur, Status.Malformed, 'ipv4.total_length_exceeds_container');
  } else if (pv.capLen >= pv.wireLen) {
    fail(pv, cur, Status.Malformed, 'ipv4.total_length_exceeds_frame');
  }
  l.payloadLength = (total === 0 ? end - o : total) - ihl;
  cur.off = o + ihl;
  cur.end = end;
  if (l.fragOffset > 0) return Next.Done;
  // A first fragment: what it carries is decoded, but its lengths reach into later fragments.
  if (l.mf) cur.partial = true;
  cur.value = l.protocol;
  return Next.IpProto;
}
