/**
 * UDP (RFC 768).
 * | Source Port | Destination Port |
 * |   Length    |     Checksum     |
 *
 * Tunnels ride on UDP; which one is the port table's business (decoder.ts):
 * destination port first, then source port. Length 0 over IPv6 means a
 * jumbogram / BIG TCP super-packet (RFC 2675): the payload runs to the end.
 */
import { u16be } from '../../bytes.js';
import { addLayer, type Cursor, cutByCapture, fail, Next, short } from '../cursor.js';
import { type PacketView, Proto, Status } from '../packet.js';

export function decodeUdp(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 8) return short(pv, cur, 'udp.truncated_header');
  const l = addLayer(pv, cur, Proto.Udp, 8);
  if (!l) return Next.Done;
  l.srcPort = u16be(b, o);
  l.dstPort = u16be(b, o + 2);
  const len = u16be(b, o + 4);
  l.udpLength = len;
  l.checksum = u16be(b, o + 6);
  cur.off = o + 8;
  if (cur.quoted) {
    l.payloadLength = len >= 8 ? len - 8 : 0;
    return Next.Done;
  }
  let end = cur.end;
  // Length 0 means a jumbogram over IPv6 (RFC 2675), or a Linux BIG TCP
  // super-packet whose IPv4 total length is 0 too; over any other IPv4 it is wrong.
  const ip = pv.count >= 2 ? pv.layers[pv.count - 2]! : null;
  const superPacket = ip !== null && (ip.proto === Proto.Ipv6 || (ip.proto === Proto.Ipv4 && ip.totalLength === 0));
  if (len === 0 && superPacket) {
    // jumbogram: keep the container's end
  } else if (len < 8) {
    l.payloadLength = 0;
    return fail(pv, cur, Status.Malformed, 'udp.bad_length');
  } else if (o + len <= end) {
    end = o + len;
  } else if (cur.partial) {
    // First fragment: the UDP length counts the whole datagram.
  } else if (!cutByCapture(pv, cur)) {
    fail(pv, cur, Status.Malformed, 'udp.length_exceeds_ip');
  }
  l.payloadLength = len === 0 ? end - o - 8 : len - 8;
  cur.end = end;
  return Next.Udp;
}
