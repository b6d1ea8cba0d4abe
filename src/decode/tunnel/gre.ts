/**
 * GRE (RFC 2784 with RFC 2890 key and sequence; version 1 is PPTP, RFC 2637).
 *
 * |C|R|K|S|s|Recur|A| Flags | Ver |         Protocol Type         |
 * |      Checksum (optional)      |       Reserved1 (optional)    |   C or R
 * |                         Key (optional)                        |   K
 * |                 Sequence Number (optional)                    |   S
 * |            Acknowledgment Number (version 1, optional)        |   A
 *
 * Protocol Type is an EtherType: 0x0800 IPv4, 0x86DD IPv6, 0x6558
 * transparent Ethernet bridging. RFC 1701 source routing (R) is not decoded.
 */
import { u16be, u32be } from '../../bytes.js';
import { addLayer, type Cursor, fail, Next, short } from '../cursor.js';
import { type PacketView, Proto, Status } from '../packet.js';

export function decodeGre(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 4) return short(pv, cur, 'gre.truncated_header');
  const flags = u16be(b, o);
  const version = flags & 7;
  const c = (flags & 0x8000) !== 0;
  const r = (flags & 0x4000) !== 0;
  const k = (flags & 0x2000) !== 0;
  const s = (flags & 0x1000) !== 0;
  const a = (flags & 0x0080) !== 0;
  if (version > 1) return fail(pv, cur, Status.Malformed, 'gre.bad_version');
  if (r) return fail(pv, cur, Status.Unsupported, 'gre.source_routing');
  let len = 4;
  if (c) len += 4;
  const keyAt = k ? o + len : -1;
  if (k) len += 4;
  const seqAt = s ? o + len : -1;
  if (s) len += 4;
  if (version === 1 && a) len += 4;
  if (cur.end - o < len) return short(pv, cur, 'gre.truncated_header');
  const l = addLayer(pv, cur, Proto.Gre, len);
  if (!l) return Next.Done;
  l.tunnelFlags = flags;
  l.greVersion = version;
  l.payloadType = u16be(b, o + 2);
  // Version 1 (PPTP) splits the key into payload length and call ID: the call ID names the tunnel.
  l.greKey = keyAt < 0 ? -1 : version === 1 ? u16be(b, keyAt + 2) : u32be(b, keyAt);
  l.greSeq = seqAt >= 0 ? u32be(b, seqAt) : -1;
  cur.off = o + len;
  cur.value = l.payloadType;
  return Next.EtherType;
}
