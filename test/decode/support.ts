/**
 * Helpers the decoder tests share: a readable summary of a decoded view (so
 * vectors can state expectations as plain data), the record metadata the
 * renderers need, the structural invariants every decode must keep, and the
 * "poisoned view" used to catch fields a decoder forgets to overwrite.
 */
import { LINKTYPE, PacketDecoder } from '../../src/decode/decoder.js';
import { Layer, MAX_LAYERS, MAX_TUNNEL_DEPTH, PROTO_NAMES, type PacketView, Proto, STATUS_NAMES, StopKind } from '../../src/decode/packet.js';
import { tunnelId, tunnelMode } from '../../src/decode/tunnels.js';
import { ipv4String, ipv6String, macString } from '../../src/render/addr.js';
import { type PacketMeta, packetJson, packetLine } from '../../src/render/packets.js';
import type { Vector } from './vectors.js';

/** Every link type the decoder claims (plus one it does not). */
export const LINK_TYPES: readonly number[] = [...Object.values(LINKTYPE), 160];

export function wireLenOf(v: Vector): number {
  return v.wireLen ?? v.bytes.length;
}

/** Decode a vector (or a prefix of it) with the given decoder. */
export function decodeVector(dec: PacketDecoder, v: Vector, capLen = v.bytes.length): PacketView {
  return dec.decode(v.bytes, 0, capLen, wireLenOf(v), v.linkType);
}

export function metaFor(capLen: number, wireLen: number, frame = 1, interfaceName: string | null = null): PacketMeta {
  return {
    file: 'vectors.pcap',
    frame,
    tsSec: 1_700_000_000,
    tsNsec: 123_456_000,
    capLen,
    wireLen,
    interfaceName,
    recordDirection: 0,
  };
}

const mac = (m: number): string | null => (m >= 0 ? macString(m) : null);

/** The fields a layer's proto gives meaning to, in readable form. */
export function layerSummary(l: Layer): Record<string, unknown> {
  const base = { proto: PROTO_NAMES[l.proto], offset: l.offset, length: l.length, quoted: l.quoted };
  switch (l.proto) {
    case Proto.Eth:
      return { ...base, src: macString(l.srcMac), dst: macString(l.dstMac), etherType: l.etherType };
    case Proto.Vlan:
      return { ...base, id: l.vlanId, pcp: l.pcp, tpid: l.tpid, etherType: l.etherType };
    case Proto.Sll:
      return { ...base, pktType: l.pktType, haType: l.haType, src: mac(l.srcMac), etherType: l.etherType };
    case Proto.Sll2:
      return { ...base, pktType: l.pktType, haType: l.haType, ifindex: l.ifindex, src: mac(l.srcMac), etherType: l.etherType };
    case Proto.Null:
      return { ...base, family: l.etherType };
    case Proto.Arp:
      return { ...base, op: l.arpOp, senderMac: mac(l.senderMac), senderIp: ipv4String(l.senderIp), targetMac: mac(l.targetMac), targetIp: ipv4String(l.targetIp) };
    case Proto.Ipv4:
      return {
        ...base,
        src: ipv4String(l.src),
        dst: ipv4String(l.dst),
        protocol: l.protocol,
        ttl: l.ttl,
        tos: l.tos,
        ihl: l.ihl,
        totalLength: l.totalLength,
        payloadLength: l.payloadLength,
        id: l.ipId,
        df: l.df,
        mf: l.mf,
        fragOffset: l.fragOffset,
      };
    case Proto.Ipv6:
      return {
        ...base,
        src: ipv6String(l.src6),
        dst: ipv6String(l.dst6),
        nextHeader: l.protocol,
        hopLimit: l.ttl,
        flowLabel: l.flowLabel,
        totalLength: l.totalLength,
        payloadLength: l.payloadLength,
        fragmentHeader: l.fragmentHeader,
        fragOffset: l.fragOffset,
        mf: l.mf,
        fragId: l.ipId,
      };
    case Proto.Udp:
      return { ...base, srcPort: l.srcPort, dstPort: l.dstPort, udpLength: l.udpLength, payloadLength: l.payloadLength };
    case Proto.Tcp:
      return { ...base, srcPort: l.srcPort, dstPort: l.dstPort, seq: l.seq, ack: l.ack, flags: l.tcpFlags, window: l.window, mss: l.mss, payloadLength: l.payloadLength };
    case Proto.Icmp:
    case Proto.Icmpv6:
      return { ...base, type: l.icmpType, code: l.icmpCode, mtu: l.mtu, echoId: l.echoId, echoSeq: l.echoSeq };
    case Proto.Ipip:
      return { ...base, innerVersion: l.innerVersion };
    case Proto.Vxlan:
      return { ...base, vni: l.vni, flags: l.tunnelFlags };
    case Proto.Geneve:
      return { ...base, vni: l.vni, protocolType: l.payloadType, optionsLength: l.geneveOptionsLength };
    case Proto.Gre:
      return { ...base, version: l.greVersion, protocolType: l.payloadType, key: l.greKey, seq: l.greSeq };
    case Proto.Wireguard:
      return { ...base, type: l.wgType, receiver: l.wgReceiver };
    default:
      return base;
  }
}

const STOP_NAMES = ['none', 'ethertype', 'ipproto', 'linktype', 'llc'] as const;

/** The whole view as plain data. */
export function summarize(pv: PacketView): {
  protos: string[];
  layers: Record<string, unknown>[];
  status: string;
  issue: string;
  issueOffset: number;
  tunnels: { layer: number; mode: string; id: number }[];
  stop: { kind: string; value: number } | null;
  direction: number;
  ifindex: number;
} {
  const layers: Record<string, unknown>[] = [];
  for (let i = 0; i < pv.count; i++) layers.push(layerSummary(pv.layer(i)));
  const tunnels: { layer: number; mode: string; id: number }[] = [];
  for (let t = 0; t < pv.tunnelCount; t++) {
    const i = pv.tunnels[t]!;
    tunnels.push({ layer: i, mode: tunnelMode(pv, i), id: tunnelId(pv, i) });
  }
  return {
    protos: layers.map((l) => l.proto as string),
    layers,
    status: STATUS_NAMES[pv.status]!,
    issue: pv.issue,
    issueOffset: pv.issueOffset,
    tunnels,
    stop: pv.stopKind === StopKind.None ? null : { kind: STOP_NAMES[pv.stopKind]!, value: pv.stopValue },
    direction: pv.direction,
    ifindex: pv.ifindex,
  };
}

/** Codes that annotate a packet without changing its status. */
export const NOTE_CODES = new Set(['ipv4.zero_total_length', 'ipv6.zero_payload_length', 'ipv4.version_is_6']);

const TUNNEL_PROTOS = new Set<Proto>([Proto.Ipip, Proto.Vxlan, Proto.Geneve, Proto.Gre, Proto.Wireguard]);

/**
 * What every decode must satisfy, whatever the bytes: returns the first
 * violation as text (so fast-check can report it with the input), or null.
 */
export function invariantViolation(pv: PacketView, capLen: number): string | null {
  if (!Number.isInteger(pv.count) || pv.count < 0 || pv.count > MAX_LAYERS) return `count ${pv.count} outside 0..${MAX_LAYERS}`;
  if (pv.tunnelCount < 0 || pv.tunnelCount > MAX_TUNNEL_DEPTH) return `tunnelCount ${pv.tunnelCount} outside 0..${MAX_TUNNEL_DEPTH}`;
  if (!(pv.status >= 0 && pv.status <= 3)) return `status ${pv.status}`;
  let prevEnd = 0;
  let quoting = false;
  for (let i = 0; i < pv.count; i++) {
    const l = pv.layer(i);
    if (l.proto === Proto.None) return `layer ${i} has proto none`;
    if (l.offset < 0 || l.length < 0) return `layer ${i} (${PROTO_NAMES[l.proto]}) has offset ${l.offset} length ${l.length}`;
    if (l.offset + l.length > capLen) return `layer ${i} (${PROTO_NAMES[l.proto]}) ends at ${l.offset + l.length} past capLen ${capLen}`;
    if (l.offset < prevEnd) return `layer ${i} (${PROTO_NAMES[l.proto]}) starts at ${l.offset}, inside the previous layer (ends ${prevEnd})`;
    prevEnd = l.offset + l.length;
    if (quoting && !l.quoted) return `layer ${i} is not quoted but follows a quoted layer`;
    if (l.quoted && !quoting) {
      const prev = i > 0 ? pv.layer(i - 1).proto : Proto.None;
      if (prev !== Proto.Icmp && prev !== Proto.Icmpv6) return `quoted layer ${i} does not follow an ICMP error`;
      quoting = true;
    }
  }
  let prevTunnel = -1;
  for (let t = 0; t < pv.tunnelCount; t++) {
    const i = pv.tunnels[t]!;
    if (i <= prevTunnel || i >= pv.count) return `tunnel ${t} points at layer ${i} (count ${pv.count})`;
    if (!TUNNEL_PROTOS.has(pv.layer(i).proto)) return `tunnel ${t} points at a ${PROTO_NAMES[pv.layer(i).proto]} layer`;
    prevTunnel = i;
  }
  for (let i = 0; i < pv.count; i++) {
    if (TUNNEL_PROTOS.has(pv.layer(i).proto) && !Array.from(pv.tunnels.subarray(0, pv.tunnelCount)).includes(i)) {
      return `tunnel layer ${i} (${PROTO_NAMES[pv.layer(i).proto]}) missing from the stack`;
    }
  }
  if (pv.status === 0 && pv.issue !== '' && !NOTE_CODES.has(pv.issue)) return `status ok with issue ${pv.issue}`;
  if (pv.status !== 0 && pv.issue === '') return `status ${STATUS_NAMES[pv.status]} without an issue`;
  if (pv.issue !== '' && (pv.issueOffset < 0 || pv.issueOffset > capLen)) return `issue offset ${pv.issueOffset} outside 0..${capLen}`;
  return null;
}

// ---------------------------------------------------------------------------
// Poisoning: a decoder whose layers hold garbage before every decode must
// render exactly like one whose layers were fresh. Anything a renderer reads
// that the decoder did not write shows up as a difference.

const FRESH = new Layer();

function setLayer(l: Layer, poison: boolean): void {
  const rec = l as unknown as Record<string, unknown>;
  const fresh = FRESH as unknown as Record<string, unknown>;
  for (const key of Object.keys(fresh)) {
    const v = fresh[key];
    if (typeof v === 'number') rec[key] = poison ? 0x5a5a5 + key.length : v;
    else if (typeof v === 'boolean') rec[key] = poison ? !v : v;
    else if (v instanceof Uint32Array) (rec[key] as Uint32Array).fill(poison ? 0x5a5a5a5a : 0);
  }
}

export function resetLayers(pv: PacketView, poison: boolean): void {
  for (const l of pv.layers) setLayer(l, poison);
  pv.tunnels.fill(poison ? 31 : 0);
  if (poison) {
    pv.status = 2;
    pv.issue = 'poison';
    pv.issueLayer = 7;
    pv.issueOffset = 7;
    pv.count = 7;
    pv.tunnelCount = 3;
    pv.direction = 2;
    pv.ifindex = 99;
    pv.stopKind = StopKind.Llc;
    pv.stopValue = 99;
  }
}

/** What a decode looks like from outside: the JSON and the text line (and, if asked, the summary). */
export function rendered(pv: PacketView, capLen: number, wireLen: number, withSummary = false): { json: unknown; line: string; summary: unknown } {
  const meta = metaFor(capLen, wireLen);
  return { json: packetJson(pv, meta), line: packetLine(pv, meta, { link: true }), summary: withSummary ? summarize(pv) : null };
}

/** Two decoders, one poisoned and one fresh before every decode. */
export class StaleStateProbe {
  private readonly dirty: PacketDecoder;
  private readonly clean: PacketDecoder;
  /**
   * `mask` blanks, in both renderings, what a known and separately tested bug
   * leaves stale, so that a property test keeps looking for new ones.
   */
  constructor(
    opts: ConstructorParameters<typeof PacketDecoder>[0] = {},
    private readonly mask: ((r: { json: unknown; line: string }) => void) | null = null,
  ) {
    this.dirty = new PacketDecoder(opts);
    this.clean = new PacketDecoder(opts);
  }

  /**
   * Null when both decoders agree; else both renderings. By default compares
   * what the renderers show (the --json and text contract); `strict` also
   * compares every field the layer summary treats as meaningful for the proto.
   */
  compare(bytes: Uint8Array, capLen: number, wireLen: number, linkType: number, strict = false): { dirty: unknown; clean: unknown } | null {
    resetLayers(this.dirty.view, true);
    resetLayers(this.clean.view, false);
    const a = rendered(this.dirty.decode(bytes, 0, capLen, wireLen, linkType), capLen, wireLen, strict);
    const b = rendered(this.clean.decode(bytes, 0, capLen, wireLen, linkType), capLen, wireLen, strict);
    if (this.mask) {
      this.mask(a);
      this.mask(b);
    }
    return JSON.stringify(a) === JSON.stringify(b) ? null : { dirty: a, clean: b };
  }
}
