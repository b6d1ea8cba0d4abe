/**
 * TCP (RFC 9293).
 * |          Source Port          |       Destination Port        |
 * |                        Sequence Number                        |
 * |                    Acknowledgment Number                      |
 * | Off | Rsv |C|E|U|A|P|R|S|F|             Window                |
 * |           Checksum            |         Urgent Pointer        |
 * |                    Options (Off > 5)                          |
 *
 * Only the MSS option (kind 2, length 4) is read, and only on SYNs: it is
 * what tells a tunnel's MTU budget.
 */
import { u16be, u32be } from '../../bytes.js';
import { addLayer, type Cursor, cutByCapture, fail, Next, short } from '../cursor.js';
import { type PacketView, Proto, Status } from '../packet.js';

export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_PSH = 0x08;
export const TCP_ACK = 0x10;
export const TCP_URG = 0x20;

export function decodeTcp(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  const avail = cur.end - o;
  if (cur.quoted) {
    // An ICMP error quotes 8 bytes: ports and sequence number.
    if (avail < 4) return Next.Done;
    const q = addLayer(pv, cur, Proto.Tcp, Math.min(avail, 20));
    if (!q) return Next.Done;
    q.srcPort = u16be(b, o);
    q.dstPort = u16be(b, o + 2);
    q.seq = avail >= 8 ? u32be(b, o + 4) : 0;
    q.ack = avail >= 12 ? u32be(b, o + 8) : 0;
    q.tcpFlags = avail >= 14 ? b[o + 13]! & 0x3f : 0;
    q.mss = -1;
    q.payloadLength = 0;
    return Next.Done;
  }
  if (avail < 20) return short(pv, cur, 'tcp.truncated_header');
  const dataOffset = (b[o + 12]! >>> 4) * 4;
  if (dataOffset < 20) return fail(pv, cur, Status.Malformed, 'tcp.bad_data_offset');
  if (avail < dataOffset) return short(pv, cur, 'tcp.truncated_options');
  const l = addLayer(pv, cur, Proto.Tcp, dataOffset);
  if (!l) return Next.Done;
  l.srcPort = u16be(b, o);
  l.dstPort = u16be(b, o + 2);
  l.seq = u32be(b, o + 4);
  l.ack = u32be(b, o + 8);
  const flags = b[o + 13]!;
  l.tcpFlags = flags;
  l.window = u16be(b, o + 14);
  l.checksum = u16be(b, o + 16);
  l.mss = -1;
  // The payload the IP header says was sent, in a frame the snap length cut (tcpdump -s keeps
  // less than was sent): segment sizes (retransmissions, the largest segment acknowledged) are
  // about what was sent, as tcpdump's and tshark's lengths are. Otherwise what the container holds.
  const ip = pv.layers[pv.count - 2];
  const cut = cutByCapture(pv, cur) && ip !== undefined && (ip.proto === Proto.Ipv4 || ip.proto === Proto.Ipv6) && ip.payloadLength >= dataOffset;
  l.payloadLength = cut ? ip.payloadLength - dataOffset : cur.end - o - dataOffset;
  if (flags & TCP_SYN) {
    let p = o + 20;
    const end = o + dataOffset;
    while (p < end) {
      const kind = b[p]!;
      if (kind === 0) break;
      if (kind === 1) {
        p++;
        continue;
      }
      if (p + 1 >= end) break;
      const len = b[p + 1]!;
      if (len < 2 || p + len > end) break;
      if (kind === 2 && len === 4) l.mss = u16be(b, p + 2);
      p += len;
    }
  }
  cur.off = o + dataOffset;
  return Next.Done;
}
