/**
 * VXLAN (RFC 7348), on UDP 4789 (IANA), 8472 (Linux default, flannel), or any
 * port the user names.
 *
 * |R|R|R|R|I|R|R|R|            Reserved (24)                      |
 * |        VXLAN Network Identifier (VNI) (24)    | Reserved (8)  |
 * then an Ethernet frame.
 *
 * The I flag should be set; VXLAN-GBP (0x88) and writers that set reserved
 * bits still carry a VNI and an Ethernet frame, so they decode too, as
 * Wireshark does.
 */
import { u32be } from '../../bytes.js';
import { addLayer, type Cursor, Next, short } from '../cursor.js';
import { type PacketView, Proto } from '../packet.js';

export const VXLAN_PORT = 4789;
export const VXLAN_LINUX_PORT = 8472;

export function decodeVxlan(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 8) return short(pv, cur, 'vxlan.truncated_header');
  const l = addLayer(pv, cur, Proto.Vxlan, 8);
  if (!l) return Next.Done;
  l.tunnelFlags = b[o]!;
  l.vni = u32be(b, o + 4) >>> 8;
  cur.off = o + 8;
  return Next.Ethernet;
}
