/**
 * BSD loopback encapsulation: a 4-byte address family before the IP header.
 * LINKTYPE_NULL (0) writes it in the capturing host's byte order,
 * LINKTYPE_LOOP (108) in network byte order. AF_INET is 2 everywhere;
 * AF_INET6 is 24, 28 or 30 depending on the BSD (10 on Linux).
 */
import { u32be, u32le } from '../../bytes.js';
import { addLayer, type Cursor, Next, short } from '../cursor.js';
import { type PacketView, Proto, StopKind } from '../packet.js';

export function decodeNull(pv: PacketView, cur: Cursor, b: Uint8Array, networkOrder: boolean): Next {
  const o = cur.off;
  if (cur.end - o < 4) return short(pv, cur, 'null.truncated_header');
  const l = addLayer(pv, cur, Proto.Null, 4);
  if (!l) return Next.Done;
  let af = networkOrder ? u32be(b, o) : u32le(b, o);
  // A NULL file written on a big-endian host: the family lands in the high bytes.
  if (!networkOrder && af > 0xffff) af = u32be(b, o);
  l.etherType = af;
  cur.off = o + 4;
  if (af === 2) return Next.Ipv4;
  if (af === 10 || af === 24 || af === 28 || af === 30) return Next.Ipv6;
  if (!networkOrder && af > 1500) {
    // No address family is that large: some writers put an EtherType in the
    // low 16 bits instead (corpus null_loopback.pcap frame 3: 0f 00 08 00).
    // Wireshark's NULL dissector takes any value above 1500 as an EtherType.
    cur.value = af & 0xffff;
    return Next.EtherType;
  }
  pv.stopKind = StopKind.EtherType;
  pv.stopValue = af;
  return Next.Done;
}
