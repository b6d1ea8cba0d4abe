/**
 * Ethernet II (IEEE 802.3) and 802.1Q / 802.1ad tags.
 *
 *  0                   1                   2                   3
 * |                 Destination MAC (6)                   |
 * |                   Source MAC (6)                      |
 * |        EtherType (or 802.3 length <= 1500)            |
 *
 * 802.1Q / 802.1ad tag, after TPID 0x8100 / 0x88a8 (0x9100 pre-standard QinQ):
 * | PCP (3) |DEI| VID (12) |        inner EtherType       |
 */
import { u16be, view } from '../../bytes.js';
import { addLayer, type Cursor, Next, short } from '../cursor.js';
import { type PacketView, Proto, StopKind } from '../packet.js';

export function decodeEthernet(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 14) return short(pv, cur, 'eth.truncated_header');
  const l = addLayer(pv, cur, Proto.Eth, 14);
  if (!l) return Next.Done;
  // MACs read in place rather than through a helper: a 48-bit number returned from a call V8
  // did not inline is a heap number, one per MAC on every packet (see u32be in bytes.ts).
  const v = view(b);
  l.dstMac = v.getUint16(o) * 0x100000000 + v.getUint32(o + 2);
  l.srcMac = v.getUint16(o + 6) * 0x100000000 + v.getUint32(o + 8);
  const type = u16be(b, o + 12);
  l.etherType = type;
  cur.off = o + 14;
  if (type <= 1500) {
    // 802.3 length field: LLC/SNAP follows (STP, CDP, ...), never pod traffic.
    pv.stopKind = StopKind.Llc;
    pv.stopValue = type;
    return Next.Done;
  }
  cur.value = type;
  return Next.EtherType;
}

export function decodeVlan(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  const tpid = cur.value;
  if (cur.end - o < 4) return short(pv, cur, 'vlan.truncated_header');
  const l = addLayer(pv, cur, Proto.Vlan, 4);
  if (!l) return Next.Done;
  const tci = u16be(b, o);
  l.tpid = tpid;
  l.pcp = tci >>> 13;
  l.vlanId = tci & 0x0fff;
  const type = u16be(b, o + 2);
  l.etherType = type;
  cur.off = o + 4;
  if (type <= 1500) {
    pv.stopKind = StopKind.Llc;
    pv.stopValue = type;
    return Next.Done;
  }
  cur.value = type;
  return Next.EtherType;
}
