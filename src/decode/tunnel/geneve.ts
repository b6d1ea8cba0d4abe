/**
 * Geneve (RFC 8926), UDP 6081.
 *
 * |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
 * |        Virtual Network Identifier (VNI)       |    Reserved   |
 * |                    Variable-Length Options                    |
 *
 * Options (Opt Len x 4 bytes) are skipped by their total length: nothing in
 * them changes where the payload starts. Protocol Type is an EtherType;
 * 0x6558 is an Ethernet frame, 0x0800/0x86DD a bare IP packet (GCP).
 */
import { u16be, u32be } from '../../bytes.js';
import { addLayer, type Cursor, fail, Next, short } from '../cursor.js';
import { type PacketView, Proto, Status } from '../packet.js';

export const GENEVE_PORT = 6081;

export function decodeGeneve(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 8) return short(pv, cur, 'geneve.truncated_header');
  if (b[o]! >>> 6 !== 0) return fail(pv, cur, Status.Malformed, 'geneve.bad_version');
  const optLen = (b[o]! & 0x3f) * 4;
  if (cur.end - o < 8 + optLen) return short(pv, cur, 'geneve.truncated_options');
  const l = addLayer(pv, cur, Proto.Geneve, 8 + optLen);
  if (!l) return Next.Done;
  l.geneveOptionsLength = optLen;
  l.tunnelFlags = b[o + 1]!;
  l.payloadType = u16be(b, o + 2);
  l.vni = u32be(b, o + 4) >>> 8;
  cur.off = o + 8 + optLen;
  cur.value = l.payloadType;
  return Next.EtherType;
}
