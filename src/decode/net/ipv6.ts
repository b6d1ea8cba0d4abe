/**
 * IPv6 (RFC 8200) and its extension headers.
 *
 * | Version | Traffic Class |              Flow Label               |
 * |         Payload Length        |  Next Header  |   Hop Limit     |
 * |                    Source Address (16 bytes)                    |
 * |                 Destination Address (16 bytes)                  |
 *
 * Extension headers walked here: hop-by-hop (0), routing (43), destination
 * options (60): length (hdr_ext_len + 1) * 8; fragment (44): 8 bytes;
 * AH (51): (payload_len + 2) * 4. A payload length of 0 is a jumbogram
 * (RFC 2675) or a BIG TCP super-packet: the payload runs to the frame's end.
 */
import { u16be, u32be } from '../../bytes.js';
import { addLayer, type Cursor, fail, Next, note, short } from '../cursor.js';
import { type PacketView, Proto, Status } from '../packet.js';

const MAX_EXTENSION_HEADERS = 16;

export function decodeIpv6(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  if (cur.end - o < 1) return short(pv, cur, 'ipv6.truncated_header');
  if (b[o]! >>> 4 !== 6) return cur.quoted ? Next.Done : fail(pv, cur, Status.Malformed, 'ipv6.bad_version');
  if (cur.end - o < 40) return short(pv, cur, 'ipv6.truncated_header');
  const l = addLayer(pv, cur, Proto.Ipv6, 40);
  if (!l) return Next.Done;
  const w0 = u32be(b, o);
  l.tos = (w0 >>> 20) & 0xff;
  l.flowLabel = w0 & 0xfffff;
  const plen = u16be(b, o + 4);
  let nh = b[o + 6]!;
  l.ttl = b[o + 7]!;
  for (let i = 0; i < 4; i++) {
    l.src6[i] = u32be(b, o + 8 + i * 4);
    l.dst6[i] = u32be(b, o + 24 + i * 4);
  }
  l.totalLength = plen + 40;
  // Set before the extension headers, which may stop decoding early.
  l.protocol = nh;
  l.payloadLength = 0;
  l.fragmentHeader = false;
  l.fragOffset = 0;
  l.mf = false;
  l.df = false;
  l.ipId = 0;

  let end = cur.end;
  if (plen === 0) {
    if (!cur.quoted) note(pv, cur, 'ipv6.zero_payload_length');
  } else if (o + 40 + plen <= end) {
    end = o + 40 + plen;
  } else if (cur.quoted || cur.partial) {
    // A quote or a first fragment holds only the start of this packet.
  } else if (end < cur.capEnd) {
    fail(pv, cur, Status.Malformed, 'ipv6.payload_length_exceeds_container');
  } else if (pv.capLen >= pv.wireLen) {
    fail(pv, cur, Status.Malformed, 'ipv6.payload_length_exceeds_frame');
  }

  let p = o + 40;
  cur.end = end;
  for (let i = 0; i < MAX_EXTENSION_HEADERS; i++) {
    let hlen: number;
    if (nh === 0 || nh === 43 || nh === 60) {
      if (end - p < 2) {
        cur.off = p;
        return short(pv, cur, 'ipv6.truncated_extension_header');
      }
      hlen = (b[p + 1]! + 1) * 8;
    } else if (nh === 44) {
      if (end - p < 8) {
        cur.off = p;
        return short(pv, cur, 'ipv6.truncated_extension_header');
      }
      hlen = 8;
      const fo = u16be(b, p + 2);
      l.fragmentHeader = true;
      l.fragOffset = fo & 0xfff8;
      l.mf = (fo & 1) !== 0;
      l.ipId = u32be(b, p + 4);
    } else if (nh === 51) {
      if (end - p < 2) {
        cur.off = p;
        return short(pv, cur, 'ipv6.truncated_extension_header');
      }
      hlen = (b[p + 1]! + 2) * 4;
    } else {
      break;
    }
    if (end - p < hlen) {
      cur.off = p;
      return short(pv, cur, 'ipv6.truncated_extension_header');
    }
    nh = b[p]!;
    p += hlen;
  }
  l.length = p - o;
  l.protocol = nh;
  l.payloadLength = (plen === 0 ? end - o - 40 : plen) - (p - o - 40);
  cur.off = p;
  if (l.fragOffset > 0 || nh === 59) return Next.Done;
  // A first fragment: what it carries is decoded, but its lengths reach into later fragments.
  if (l.mf) cur.partial = true;
  cur.value = nh;
  return Next.IpProto;
}
