/**
 * Linux cooked captures (tcpdump -i any).
 *
 * LINKTYPE_LINUX_SLL (113), 16 bytes:
 * | packet type (2) | ARPHRD type (2) | address length (2) | address (8) | protocol (2) |
 *
 * LINKTYPE_LINUX_SLL2 (276), 20 bytes:
 * | protocol (2) | reserved (2) | interface index (4) |
 * | ARPHRD type (2) | packet type (1) | address length (1) | address (8) |
 *
 * Packet type: 0 to us, 1 broadcast, 2 multicast, 3 to another host, 4 sent by us.
 * Protocol is an EtherType, except the Linux pseudo-protocols below 0x0600
 * (802.3 / 802.2 frames without an EtherType).
 */
import { u16be, u32be, view } from '../../bytes.js';
import { addLayer, type Cursor, Next, short } from '../cursor.js';
import { type PacketView, Proto, StopKind } from '../packet.js';

const OUTGOING = 4;

function finish(pv: PacketView, cur: Cursor, protocol: number): Next {
  if (protocol < 0x0600) {
    pv.stopKind = StopKind.Llc;
    pv.stopValue = protocol;
    return Next.Done;
  }
  cur.value = protocol;
  return Next.EtherType;
}

export function decodeSll(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 16) return short(pv, cur, 'sll.truncated_header');
  const l = addLayer(pv, cur, Proto.Sll, 16);
  if (!l) return Next.Done;
  l.pktType = u16be(b, o);
  l.haType = u16be(b, o + 2);
  const alen = u16be(b, o + 4);
  // Read in place, as in decodeEthernet.
  const v = view(b);
  l.srcMac = alen === 6 ? v.getUint16(o + 6) * 0x100000000 + v.getUint32(o + 8) : -1;
  l.ifindex = -1;
  const protocol = u16be(b, o + 14);
  l.etherType = protocol;
  pv.direction = l.pktType === OUTGOING ? 2 : 1;
  cur.off = o + 16;
  return finish(pv, cur, protocol);
}

export function decodeSll2(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 20) return short(pv, cur, 'sll2.truncated_header');
  const l = addLayer(pv, cur, Proto.Sll2, 20);
  if (!l) return Next.Done;
  const protocol = u16be(b, o);
  l.etherType = protocol;
  l.ifindex = u32be(b, o + 4);
  l.haType = u16be(b, o + 8);
  l.pktType = b[o + 10]!;
  const alen = b[o + 11]!;
  const v = view(b);
  l.srcMac = alen === 6 ? v.getUint16(o + 12) * 0x100000000 + v.getUint32(o + 14) : -1;
  pv.ifindex = l.ifindex;
  pv.direction = l.pktType === OUTGOING ? 2 : 1;
  cur.off = o + 20;
  return finish(pv, cur, protocol);
}
