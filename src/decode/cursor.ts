/**
 * Decoder plumbing shared by every protocol file: the cursor that walks the
 * packet, the "what comes next" codes the dispatch loop switches on, and the
 * helpers that add a layer or record why decoding stopped.
 */
import { type Layer, MAX_LAYERS, type PacketView, Proto, Status } from './packet.js';

/** What the dispatch loop decodes next. `cur.value` carries the key where one is needed. */
export const enum Next {
  Done = 0,
  Ethernet,
  EtherType,
  Vlan,
  Arp,
  Sll,
  Sll2,
  Null,
  Loop,
  IpAny,
  Ipv4,
  Ipv6,
  IpProto,
  Udp,
  Tcp,
  Icmp,
  Icmpv6,
  Vxlan,
  Geneve,
  Gre,
  Wireguard,
}

/** Position in the packet: absolute offsets into `pv.buf`. */
export class Cursor {
  off = 0;
  /** End of the current header's container (length fields shrink it). */
  end = 0;
  /** End of the captured bytes. */
  capEnd = 0;
  /** Key for the next dispatch (EtherType, IP protocol, TPID). */
  value = 0;
  /** Inside the original packet quoted by an ICMP error. */
  quoted = false;
  /**
   * Inside the first fragment of an IP datagram (MF set, offset 0): the rest
   * of the datagram is in later frames, so the lengths that headers in here
   * claim may run past the fragment's end without anything being wrong.
   */
  partial = false;
}

/** Append a layer at the cursor; null (with the packet marked) when the layer table is full. */
export function addLayer(pv: PacketView, cur: Cursor, proto: Proto, length: number): Layer | null {
  if (pv.count >= MAX_LAYERS) {
    fail(pv, cur, Status.Unsupported, 'packet.too_many_layers');
    return null;
  }
  const l = pv.layers[pv.count++]!;
  l.proto = proto;
  l.offset = cur.off - pv.base;
  l.length = length;
  l.quoted = cur.quoted;
  return l;
}

/** Record an anomaly; the first one decides the packet's status. */
export function fail(pv: PacketView, cur: Cursor, status: Status, code: string): Next {
  if (pv.status === Status.Ok) {
    pv.status = status;
    pv.issue = code;
    pv.issueLayer = pv.count;
    pv.issueOffset = cur.off - pv.base;
  }
  return Next.Done;
}

/** A note that does not change the status (e.g. a GSO super-packet's zero IP length). */
export function note(pv: PacketView, cur: Cursor, code: string): void {
  if (pv.issue === '') {
    pv.issue = code;
    pv.issueLayer = pv.count;
    pv.issueOffset = cur.off - pv.base;
  }
}

/**
 * Whether the capture cut the current container: it runs to the end of the captured bytes, and
 * fewer bytes were captured than the frame had on the wire (the snap length).
 */
export function cutByCapture(pv: PacketView, cur: Cursor): boolean {
  return cur.end >= cur.capEnd && pv.capLen < pv.wireLen;
}

/**
 * A header needs more bytes than there are. Cut by the capture (the snap
 * length: fewer bytes captured than were on the wire): truncated. Cut by an
 * enclosing length field, or by the frame's own end when nothing was cut (a
 * frame that short on the wire; tshark's "Malformed Packet"): malformed.
 * Inside an ICMP quote, short headers are normal (RFC 792 quotes only 8 bytes
 * past the IP header), and so they are in a first fragment, whose datagram
 * goes on in the next frame.
 */
export function short(pv: PacketView, cur: Cursor, code: string): Next {
  if (cur.quoted || cur.partial) return Next.Done;
  return fail(pv, cur, cutByCapture(pv, cur) ? Status.Truncated : Status.Malformed, code);
}
