/**
 * Text for report values, shared by the table and markdown renderers so the
 * two always say the same thing. Missing values render as "-" (not
 * applicable) or "unknown" (applicable but not known), never as "null".
 */
import type { CaptureInfo, Finding, Mode, NodeReport, PathReport, Report } from '../analysis/report.js';
import { LINKTYPE } from '../decode/decoder.js';

export const NONE = '-';

/**
 * Names in a report come from capture files (pcapng interface names,
 * comments) and node address files: shown as text, never obeyed by the
 * terminal. Control characters other than newline become "\x1b"-style
 * escapes; C1 controls and DEL too.
 */
export function sanitize(text: string): string {
  return text.replace(/\r\n/g, '\n').replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g, (ch) => {
    const code = ch.charCodeAt(0);
    return code === 9 ? ' ' : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

export const UNKNOWN = 'unknown';
export const ARROW = '→';

const MODE_LABELS: Record<Mode, string> = {
  none: 'no encap',
  ipip: 'IPIP',
  ip6ip: 'IPv6-in-IPv4',
  vxlan: 'VXLAN',
  geneve: 'Geneve',
  gre: 'GRE',
  wireguard: 'WireGuard',
};

export function modeLabel(mode: Mode): string {
  return MODE_LABELS[mode] ?? String(mode);
}

// Made on first use: setting up ICU costs about 9 ms, a good part of a short run.
let grouped: Intl.NumberFormat | null = null;

/** 1234567 → "1,234,567", whatever the locale, so output is the same everywhere. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return NONE;
  // Counts are safe integers: group the digits here (a table formats thousands of them).
  if (Number.isSafeInteger(n)) {
    const digits = String(Math.abs(n));
    let out = digits.length > 3 ? '' : digits;
    if (digits.length > 3) {
      const head = digits.length % 3 || 3;
      out = digits.slice(0, head);
      for (let i = head; i < digits.length; i += 3) out += ',' + digits.slice(i, i + 3);
    }
    return n < 0 ? '-' + out : out;
  }
  grouped ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return grouped.format(n);
}

/** part/whole as "12.3%"; "-" when there is no whole to divide by. */
export function formatPercent(part: number, whole: number, digits = 1): string {
  if (!Number.isFinite(part) || !Number.isFinite(whole) || whole <= 0) return NONE;
  return `${((part / whole) * 100).toFixed(digits)}%`;
}

const BYTE_UNITS = ['KB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * Decimal units (1 KB = 1000 bytes), as link speeds and `ip -s link -h` count
 * traffic: "512 B", "12.3 KB", "1.5 MB".
 */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return NONE;
  if (Math.abs(n) < 1000) return `${n} B`;
  let value = n;
  let unit = 'B';
  for (const u of BYTE_UNITS) {
    if (Math.abs(value) < 1000) break;
    value /= 1000;
    unit = u;
  }
  // 999.95 KB would print as "1000.0 KB"; say "1.0 MB" instead.
  if (Math.abs(value) >= 999.95 && unit !== BYTE_UNITS[BYTE_UNITS.length - 1]) {
    value /= 1000;
    unit = BYTE_UNITS[BYTE_UNITS.indexOf(unit as (typeof BYTE_UNITS)[number]) + 1] ?? unit;
  }
  return `${value.toFixed(1)} ${unit}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** "node-a 172.16.10.11", "172.16.10.11", "node-a", or the MAC, or "unknown". */
export function endpointLabel(ip: string | null, name: string | null, mac: string | null = null): string {
  if (name && ip) return `${name} ${ip}`;
  if (ip) return ip;
  if (name) return name;
  if (mac) return mac;
  return UNKNOWN;
}

/** "node-a 172.16.10.11 → node-b 172.16.10.12". */
export function nodePairLabel(p: PathReport): string {
  return `${endpointLabel(p.outerSrc, p.srcNode, p.srcMac)} ${ARROW} ${endpointLabel(p.outerDst, p.dstNode, p.dstMac)}`;
}

/** "eth1 (172.16.10.0/24)", "eth1", "unknown (172.16.10.0/24)" or "unknown". */
export function nicLabel(p: PathReport): string {
  const nic = p.interface ?? UNKNOWN;
  return p.subnet ? `${nic} (${p.subnet})` : nic;
}

export function hasVniOrPort(p: PathReport): boolean {
  return p.vni !== null || p.port !== null;
}

/** ["VNI 4096", "UDP 4789"], ["key 7"] for GRE, [] when the mode has neither. */
export function vniPortParts(p: PathReport): string[] {
  const parts: string[] = [];
  if (p.vni !== null) parts.push(`${p.mode === 'gre' ? 'key' : 'VNI'} ${p.vni}`);
  if (p.port !== null) parts.push(`UDP ${p.port}`);
  return parts;
}

/** "VNI 4096, UDP 4789", or "-". */
export function vniPortLabel(p: PathReport): string {
  return listLabel(vniPortParts(p));
}

/** Share of the outer bytes spent on encapsulation headers. */
export function overheadLabel(p: PathReport): string {
  return formatPercent(p.encapBytes, p.bytes);
}

/** "3, top 10.244.1.10 → 10.244.2.75"; "1000+" when podpath stopped counting. */
export function podPairsLabel(p: PathReport): string {
  const count = `${formatCount(p.podPairCount)}${p.podPairsCapped ? '+' : ''}`;
  const top = p.podPairs[0];
  if (!top) return p.podPairCount > 0 ? count : NONE;
  return `${count}, top ${top.src} ${ARROW} ${top.dst}`;
}

export function listLabel(items: readonly string[], sep = ', '): string {
  return items.length > 0 ? items.join(sep) : NONE;
}

/** A long list (a scan's thousands of pod blocks) shortened for a table cell; --json has them all. */
export function shortListLabel(items: readonly string[], max = 8, sep = ', '): string {
  if (items.length <= max) return listLabel(items, sep);
  return `${items.slice(0, max).join(sep)} and ${formatCount(items.length - max)} more`;
}

export function nodeNameLabel(n: NodeReport): string {
  return n.name ?? UNKNOWN;
}

const LINKTYPE_NAMES: Record<number, string> = {
  [LINKTYPE.NULL]: 'BSD loopback',
  [LINKTYPE.ETHERNET]: 'Ethernet',
  [LINKTYPE.RAW_BSD12]: 'raw IP',
  [LINKTYPE.RAW_OPENBSD14]: 'raw IP',
  [LINKTYPE.RAW]: 'raw IP',
  [LINKTYPE.LOOP]: 'OpenBSD loopback',
  [LINKTYPE.LINUX_SLL]: 'Linux cooked',
  [LINKTYPE.IPV4]: 'raw IPv4',
  [LINKTYPE.IPV6]: 'raw IPv6',
  [LINKTYPE.LINUX_SLL2]: 'Linux cooked v2',
};

export function linkTypeLabel(linkType: number): string {
  return LINKTYPE_NAMES[linkType] ?? `link type ${linkType}`;
}

/** "eth1 (Ethernet)", or "#0 (Linux cooked v2)" for an unnamed interface. */
export function captureInterfacesLabel(c: CaptureInfo, sep = ', '): string {
  return listLabel(
    c.interfaces.map((i) => `${i.name ?? `#${i.id}`} (${linkTypeLabel(i.linkType)})`),
    sep,
  );
}

/** "pcapng", "pcap (gzip)", or "unknown" when the file was not a capture. */
export function captureFormatLabel(c: CaptureInfo): string {
  const format = c.format ?? UNKNOWN;
  return c.compressed ? `${format} (gzip)` : format;
}

/** What was wrong with the capture, or "none". One item per entry. */
export function captureDamageItems(c: CaptureInfo): string[] {
  const items: string[] = [];
  if (c.error) {
    items.push(
      `${c.error.code} at offset ${formatCount(c.error.offset)} (packet ${formatCount(c.error.packet)}): ${c.error.message}`,
    );
  }
  // A packet the snaplen cut after its headers lost nothing the report reads (a headers-only
  // capture): not damage. One cut inside a header was decoded only partway.
  if (c.headersCutPackets > 0) items.push(`${plural(c.headersCutPackets, 'packet')} cut inside a header`);
  if (c.malformedPackets > 0) items.push(`${plural(c.malformedPackets, 'malformed packet')}`);
  return items;
}

export function captureDamageLabel(c: CaptureInfo, sep = '; '): string {
  const items = captureDamageItems(c);
  return items.length > 0 ? items.join(sep) : 'none';
}

/** The finding's message, with the paths it is about. */
export function findingMessage(f: Finding): string {
  return f.paths && f.paths.length > 0 ? `${f.message} (paths: ${f.paths.join(', ')})` : f.message;
}

export const EMPTY = {
  verdicts: 'No verdicts.',
  paths: 'No pod traffic paths found.',
  nodes: 'No nodes identified.',
  findings: 'No findings.',
  captures: 'No captures read.',
} as const;

export const SECTION = {
  verdicts: 'Verdicts',
  paths: 'Paths',
  nodes: 'Nodes',
  findings: 'Findings',
  captures: 'Captures',
} as const;

/** One line about what was counted, for the end of the report. */
export function totalsLine(t: Report['totals']): string {
  const pod = [`${plural(t.podPackets, 'pod packet')}`];
  if (t.duplicatePodPackets > 0) {
    pod.push(`(${plural(t.duplicatePodPackets, 'duplicate')} seen on tunnel/veth devices)`);
  }
  const parts = [pod.join(' '), `${formatCount(t.nodeTrafficPackets)} node traffic`, `${formatCount(t.otherPackets)} other`];
  if (t.overflowPackets > 0) parts.push(`${formatCount(t.overflowPackets)} beyond podpath's tables`);
  return `Totals: ${plural(t.packets, 'packet')} read: ${parts.join(', ')}.`;
}

/** A node's pod-carrying NICs, then its other underlay NICs: "eth1 (also eth0)". */
export function nodeInterfacesLabel(n: NodeReport): string {
  const others = n.underlayInterfaces.filter((i) => !n.interfaces.includes(i));
  const main = listLabel(n.interfaces);
  if (others.length === 0) return main;
  return n.interfaces.length === 0 ? `(${others.join(', ')})` : `${main} (also ${others.join(', ')})`;
}
