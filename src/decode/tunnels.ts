/** Encapsulation modes as the analysis and the JSON name them. */
import { type PacketView, Proto } from './packet.js';

export type TunnelMode = 'ipip' | 'ip6ip' | 'vxlan' | 'geneve' | 'gre' | 'wireguard';

/** Mode of the tunnel layer at index i of the view (an IPIP marker, VXLAN, ...). */
export function tunnelMode(pv: PacketView, i: number): TunnelMode {
  const l = pv.layers[i]!;
  switch (l.proto) {
    case Proto.Ipip:
      return l.innerVersion === 6 ? 'ip6ip' : 'ipip';
    case Proto.Vxlan:
      return 'vxlan';
    case Proto.Geneve:
      return 'geneve';
    case Proto.Gre:
      return 'gre';
    default:
      return 'wireguard';
  }
}

/** The tunnel's identifier: VNI for VXLAN/Geneve, key for GRE; -1 when none. */
export function tunnelId(pv: PacketView, i: number): number {
  const l = pv.layers[i]!;
  if (l.proto === Proto.Vxlan || l.proto === Proto.Geneve) return l.vni;
  if (l.proto === Proto.Gre) return l.greKey;
  if (l.proto === Proto.Wireguard) return l.wgReceiver;
  return -1;
}
