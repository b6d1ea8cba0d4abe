/**
 * podpath's reading of one packet, spelled the way `tshark -T fields` spells
 * it: one string per field, values of repeated layers comma-separated,
 * outermost first, '' when absent. Built from `packetJson` (the --json
 * contract), so the renderer is under test too.
 */
import type { CaptureFormat, CaptureRecord } from '../../src/capture/record.js';
import { PKTTYPE_NAMES, type PacketView } from '../../src/decode/packet.js';
import { emptyPacketMeta, packetJson, type PacketMeta } from '../../src/render/packets.js';

type JsonLayer = Record<string, unknown> & { proto: string };

/** TShark field name → how to read it from podpath's JSON layers. */
const LAYER_FIELDS: Record<string, { proto: string | string[]; value: (l: JsonLayer) => string | null }> = {
  'ip.src': { proto: 'ipv4', value: (l) => String(l.src) },
  'ip.dst': { proto: 'ipv4', value: (l) => String(l.dst) },
  'ip.proto': { proto: 'ipv4', value: (l) => String(l.protocol) },
  // TShark's IPv6 dissector fills ip.version too, so it lists every IP header.
  'ip.version': { proto: ['ipv4', 'ipv6'], value: (l) => (l.proto === 'ipv4' ? '4' : '6') },
  'ip.hdr_len': { proto: 'ipv4', value: (l) => String(20 + ((l.optionsLength as number | undefined) ?? 0)) },
  'ip.len': { proto: 'ipv4', value: (l) => String(l.totalLength) },
  'ip.id': { proto: 'ipv4', value: (l) => '0x' + (l.id as number).toString(16).padStart(4, '0') },
  'ip.flags.mf': { proto: 'ipv4', value: (l) => (l.mf ? '1' : '0') },
  // TShark gives the field as it stands in the header: units of 8 bytes.
  'ip.frag_offset': { proto: 'ipv4', value: (l) => String((l.fragOffset as number) / 8) },
  'ipv6.src': { proto: 'ipv6', value: (l) => String(l.src) },
  'ipv6.dst': { proto: 'ipv6', value: (l) => String(l.dst) },
  'udp.srcport': { proto: 'udp', value: (l) => String(l.srcPort) },
  'udp.dstport': { proto: 'udp', value: (l) => String(l.dstPort) },
  'vxlan.vni': { proto: 'vxlan', value: (l) => String(l.vni) },
  // TShark prints the Geneve VNI in hex, six digits.
  'geneve.vni': { proto: 'geneve', value: (l) => '0x' + (l.vni as number).toString(16).padStart(6, '0') },
  'eth.src': { proto: 'eth', value: (l) => String(l.src) },
  'eth.dst': { proto: 'eth', value: (l) => String(l.dst) },
  // 0x8100 (and the pre-standard 0x9100) tags are TShark's "vlan"; 0x88a8 S-tags are "ieee8021ad".
  'vlan.id': { proto: 'vlan', value: (l) => (l.tpid === '0x88a8' ? null : String(l.id)) },
  'ieee8021ad.id': { proto: 'vlan', value: (l) => (l.tpid === '0x88a8' ? String(l.id) : null) },
  'icmp.type': { proto: 'icmp', value: (l) => String(l.type) },
  'icmp.code': { proto: 'icmp', value: (l) => String(l.code) },
  'icmp.mtu': { proto: 'icmp', value: (l) => (l.mtu === undefined ? null : String(l.mtu)) },
  'icmpv6.type': { proto: 'icmpv6', value: (l) => String(l.type) },
  'icmpv6.mtu': { proto: 'icmpv6', value: (l) => (l.mtu === undefined ? null : String(l.mtu)) },
  'gre.proto': { proto: 'gre', value: (l) => String(l.protocolType) },
  'wg.type': { proto: 'wireguard', value: (l) => String(WG_TYPE_NUMBERS[l.messageType as string] ?? l.messageType) },
  'sll.pkttype': { proto: 'sll', value: (l) => String(typeof l.pktType === 'string' ? PKTTYPE_NAMES.indexOf(l.pktType) : l.pktType) },
  'sll.ifindex': { proto: 'sll', value: (l) => (l.ifindex === null ? null : String(l.ifindex)) },
};

const WG_TYPE_NUMBERS: Record<string, number> = {
  handshake_initiation: 1,
  handshake_response: 2,
  cookie_reply: 3,
  transport_data: 4,
};

/** Every TShark column this test knows how to produce from podpath. */
export const COMPARED_COLUMNS: readonly string[] = [
  'frame.len',
  'frame.cap_len',
  'frame.time_epoch',
  'frame.interface_name',
  ...Object.keys(LAYER_FIELDS),
];

/** TShark columns deliberately not compared, each with why. */
export const UNCOMPARED_COLUMNS: Record<string, string> = {
  'frame.number': 'the key; frame numbering is checked separately',
  'frame.interface_id': 'TShark numbers interfaces per section; not part of what podpath reports',
  'frame.encap_type': "Wireshark's internal WTAP_ENCAP number, not a LINKTYPE (MANIFEST caveat 8)",
  'frame.protocols': 'layer chain including application protocols podpath does not decode; covered field by field',
  'bgp.type': 'BGP is not decoded by podpath',
};

const FIXED: PacketMeta = emptyPacketMeta();

/** Fields of one decoded record, TShark-spelled. Call inside the record callback (the view is reused). */
export function podpathFields(pv: PacketView, rec: CaptureRecord, format: CaptureFormat): Map<string, string> {
  const meta: PacketMeta = {
    ...FIXED,
    frame: rec.index,
    tsSec: rec.tsSec,
    tsNsec: rec.tsNsec,
    capLen: rec.capLen,
    wireLen: rec.wireLen,
    interfaceName: rec.iface?.name ?? null,
    recordDirection: rec.direction,
  };
  const json = packetJson(pv, meta);
  const layers = json.layers as JsonLayer[];
  const out = new Map<string, string>();
  out.set('frame.len', String(json.wireLen));
  out.set('frame.cap_len', String(json.capLen));
  out.set('frame.time_epoch', `${meta.tsSec}.${String(meta.tsNsec).padStart(9, '0')}`);
  // TShark names a pcapng interface without if_name "unknown"; classic pcap has no interface name.
  out.set('frame.interface_name', format === 'pcapng' ? (meta.interfaceName ?? 'unknown') : '');
  for (const [field, spec] of Object.entries(LAYER_FIELDS)) {
    const protos = Array.isArray(spec.proto) ? spec.proto : [spec.proto];
    const vals: string[] = [];
    for (const l of layers) {
      if (!protos.includes(l.proto)) continue;
      const v = spec.value(l);
      if (v !== null) vals.push(v);
    }
    out.set(field, vals.join(','));
  }
  return out;
}
