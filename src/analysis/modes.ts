/** Encapsulation modes in words, for verdicts, findings and violations. */
import type { Mode } from './report.js';

export function modeLabel(mode: Mode): string {
  switch (mode) {
    case 'none':
      return 'no encapsulation';
    case 'ipip':
      return 'IPIP';
    case 'ip6ip':
      return 'IPv6-in-IPv4';
    case 'vxlan':
      return 'VXLAN';
    case 'geneve':
      return 'Geneve';
    case 'gre':
      return 'GRE';
    case 'wireguard':
      return 'WireGuard';
  }
}
