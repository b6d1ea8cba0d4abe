/**
 * ARP (RFC 826) for Ethernet/IPv4, 28 bytes:
 * | htype (2) | ptype (2) | hlen (1) | plen (1) | oper (2) |
 * | sender MAC (6) | sender IPv4 (4) | target MAC (6) | target IPv4 (4) |
 * Kept because no-encap analysis learns node MACs from it.
 */
import { u16be, u32be, view } from '../../bytes.js';
import { addLayer, type Cursor, Next, short } from '../cursor.js';
import type { PacketView } from '../packet.js';
import { Proto } from '../packet.js';

export function decodeArp(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 8) return short(pv, cur, 'arp.truncated_header');
  const hlen = b[o + 4]!;
  const plen = b[o + 5]!;
  const op = u16be(b, o + 6);
  if (hlen !== 6 || plen !== 4) {
    const l = addLayer(pv, cur, Proto.Arp, 8);
    if (l) {
      l.arpOp = op;
      l.senderIp = l.targetIp = 0;
      l.senderMac = l.targetMac = -1;
    }
    return Next.Done;
  }
  if (cur.end - o < 28) return short(pv, cur, 'arp.truncated_header');
  const l = addLayer(pv, cur, Proto.Arp, 28);
  if (!l) return Next.Done;
  l.arpOp = op;
  // Read in place, as in decodeEthernet.
  const v = view(b);
  l.senderMac = v.getUint16(o + 8) * 0x100000000 + v.getUint32(o + 10);
  l.senderIp = u32be(b, o + 14);
  l.targetMac = v.getUint16(o + 18) * 0x100000000 + v.getUint32(o + 20);
  l.targetIp = u32be(b, o + 24);
  return Next.Done;
}
