/**
 * The report half of the analysis: turns the collector's numeric tables into
 * the plain-data Report. Strings are made here, once per distinct key.
 * Pure: the same tables and options give the same report.
 */
import ipaddr from 'ipaddr.js';
import { ipv4String, ipv6BytesString, ipv6String, macString, parseIpv6Groups } from '../render/addr.js';
import { formatCount } from '../render/format.js';
import type { CaptureSummary } from '../capture/source.js';
import { type Collector, type HeadersCut, MODE_NAMES, NO_MAC } from './collector.js';
import { BYTES, DF, DIRECTIONS, ENCAP_BYTES, FIRST_TS, ICMP, LAST_TS, MAX_INNER, MAX_OUTER, PACKETS, plainRef, type StatsTable, TCP, UDP } from './flow-stats.js';
import { KeyTable } from './key-table.js';
import type { NodeAddrs, NodeAddrsIndex, NodeInterface } from './node-addrs.js';
import {
  type CaptureInfo,
  type Finding,
  type InterfaceEvidence,
  type Mode,
  type NodeReport,
  type PathReport,
  type PodPair,
  REPORT_SCHEMA,
  type Report,
  type RttSummary,
} from './report.js';
import { VERSION } from '../version.js';
import { networkFindings, StatsPaths } from './findings.js';
import { modeLabel } from './modes.js';
export { modeLabel } from './modes.js';

export interface ReportOptions {
  nodeAddrs: NodeAddrsIndex | null;
  /** --interface: the capturing NIC of captures that do not name it. */
  interfaceName: string | null;
  podCidrs: string[];
  blockSize: number;
  vxlanPorts: number[];
  /** Pod pairs listed per path (all are counted). */
  topPairs: number;
}

const tmp6 = new Uint32Array(4);

/** The address stored as five key words (family, four words) at word `at` of entry e. */
export function keyAddr(t: KeyTable, e: number, at: number): string {
  const fam = t.word(e, at);
  if (fam === 4) return ipv4String(t.word(e, at + 1));
  for (let i = 0; i < 4; i++) tmp6[i] = t.word(e, at + 1 + i);
  return ipv6String(tmp6);
}

/**
 * Strings of IPv4 addresses (u32), the recent ones kept in a direct-mapped
 * cache of 4,096: a pod that talks to 100,000 others is about one string in
 * the report, not 100,000. A Map of every address cost ~70 ms over the
 * 400,000 addresses of 200,000 conversations, more than making the strings.
 * Exported for its test.
 */
export class V4Strings {
  private readonly keys = new Int32Array(4096);
  private readonly texts = new Array<string | undefined>(4096).fill(undefined);

  of(u: number): string {
    const i = Math.imul(u, 0x9e3779b1) >>> 20;
    const cached = this.texts[i];
    if (cached !== undefined && this.keys[i] === (u | 0)) return cached;
    const text = ipv4String(u);
    this.keys[i] = u;
    this.texts[i] = text;
    return text;
  }
}

/**
 * Ties in a list broken by the text, character by character: the same order
 * whatever the locale, and no ICU collator to set up (~8 ms, as much as
 * building the rest of a small report).
 */
function textOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function macOf(hi: number, lo: number): string | null {
  if (hi === NO_MAC && lo === NO_MAC) return null;
  return macString(hi * 0x100000000 + lo);
}

/** A path's MAC as its stats row keeps it (StatsTable.mac: -1 none). */
function statsMac(st: StatsTable, e: number, dst: boolean): string | null {
  const mac = st.mac(e, dst);
  return mac < 0 ? null : macString(mac);
}

/**
 * Where no pod address lies: this host or none (0.0.0.0/8, ::), loopback,
 * link-local (169.254/16, fe80::/10: IPv6 neighbour discovery, router
 * solicitations, a tunnel device's own address) and multicast and broadcast
 * (IGMP, MLD, mDNS). ipaddr.js's range() names them unspecified, loopback,
 * linkLocal, multicast and broadcast; test/analysis/addr-memo.test.ts holds
 * the list to it. Traffic between such addresses crosses a link, not a pod
 * network, even inside a tunnel (vxlan.calico's link-local router
 * solicitation made "fe80::.../122" and "ff02::/122" pod blocks of a node).
 */
const NOT_POD_CIDRS = ['0.0.0.0/8', '127.0.0.0/8', '169.254.0.0/16', '224.0.0.0/4', '255.255.255.255/32', '::/128', '::1/128', 'fe80::/10', 'ff00::/8'].map((c) =>
  ipaddr.parseCIDR(c),
);
/** Four address bytes (ipaddr.js toByteArray) as a u32. */
const bytesU32 = (bytes: number[]): number => bytes.reduce((x, b) => x * 256 + b, 0);

/** NOT_POD_CIDRS' IPv4 ranges as network, mask u32 pairs (flat), for the dotted quads the report writes. */
const NOT_POD4 = Uint32Array.from(
  NOT_POD_CIDRS.filter(([a]) => a.kind() === 'ipv4').flatMap(([a, bits]) => [bytesU32(a.toByteArray()), bytesU32(ipaddr.IPv4.subnetMaskFromPrefixLength(bits).toByteArray())]),
);

/** notPodAddress for an IPv4 address as a u32. */
function notPod4(u: number): boolean {
  for (let i = 0; i < NOT_POD4.length; i += 2) if (((u & NOT_POD4[i + 1]!) >>> 0) === NOT_POD4[i]) return true;
  return false;
}

/** Sixteen address bytes (ipaddr.js toByteArray) as four u32 words. */
const bytesWords = (bytes: number[]): number[] => [0, 4, 8, 12].map((at) => bytesU32(bytes.slice(at, at + 4)));

/** NOT_POD_CIDRS' IPv6 ranges as network, mask (four u32 words each), flat. */
const NOT_POD6 = Uint32Array.from(
  NOT_POD_CIDRS.filter(([a]) => a.kind() === 'ipv6').flatMap(([a, bits]) => [...bytesWords(a.toByteArray()), ...bytesWords(ipaddr.IPv6.subnetMaskFromPrefixLength(bits).toByteArray())]),
);

/** notPodAddress for an IPv6 address as four words (the tables' key words, signed or not). */
function notPod6(w0: number, w1: number, w2: number, w3: number): boolean {
  const m = NOT_POD6;
  for (let i = 0; i < m.length; i += 8) {
    if (
      ((w0 & m[i + 4]!) >>> 0) === m[i] &&
      ((w1 & m[i + 5]!) >>> 0) === m[i + 1] &&
      ((w2 & m[i + 6]!) >>> 0) === m[i + 2] &&
      ((w3 & m[i + 7]!) >>> 0) === m[i + 3]
    ) {
      return true;
    }
  }
  return false;
}

/**
 * Whether no pod can have this address (NOT_POD_CIDRS: link-local, multicast, loopback, ...),
 * given as the collector's tables hold one: family 4 and a u32 (`w0`), or 6 and four words.
 * Exported for its test against ipaddr.js.
 */
export function notPodAddress(family: number, w0: number, w1: number, w2: number, w3: number): boolean {
  return family === 4 ? notPod4(w0) : notPod6(w0, w1, w2, w3);
}

/** A reused 16-byte buffer for parseIpv6Groups (isAddr). */
const bytes6 = new Uint8Array(16);

/**
 * The pod block of each address, and whether it falls in a list of CIDRs,
 * worked out once per report: a report over 100k pod pairs asked ipaddr.js
 * about the same addresses a million times (a quarter of ipip-scan-2m's run
 * time). Answers are kept, not parsed addresses (those cost 30 MB there);
 * a dotted quad's block is worked out again each time (cheaper than a memo),
 * and each block's text is made once. Exported for its test against ipaddr.js.
 */
export class AddrMemo {
  private readonly blocks = new Map<string, string>();
  /** Addresses that are their block's network address (found by blockOf). */
  private readonly bases = new Set<string>();
  private readonly matches = new Map<readonly unknown[], Map<string, boolean>>();
  private readonly v6Size: number;
  /** The block masks' bytes, from ipaddr.js; the IPv4 one also as a u32. */
  private readonly mask4: number[];
  private readonly mask6: number[];
  private readonly mask4u32: number;
  /** IPv4 block text by network address: one string per block, however many addresses fall in it. */
  private readonly blocks4 = new Map<number, string>();

  constructor(private readonly v4Size: number) {
    this.v6Size = Math.min(128, v4Size + 96);
    this.mask4 = ipaddr.IPv4.subnetMaskFromPrefixLength(v4Size).toByteArray();
    this.mask6 = ipaddr.IPv6.subnetMaskFromPrefixLength(this.v6Size).toByteArray();
    this.mask4u32 = bytesU32(this.mask4);
  }

  /** The pod block (IPv4 /v4Size, IPv6 /(v4Size + 96)) an address falls in, as "net/bits". */
  blockOf(ip: string): string {
    // A dotted quad as the report writes it needs no memo: reading it costs less than looking
    // it up, and over ipip-scan-2m's 100,000 pod addresses the memo held 10 MB more at the
    // report's peak.
    const u = dottedQuad(ip);
    if (u >= 0) return this.block4((u & this.mask4u32) >>> 0);
    let block = this.blocks.get(ip);
    if (block === undefined) {
      // The network address is the address ANDed with the mask, as ipaddr.js's
      // networkAddressFromCIDR works it out, without formatting and parsing a CIDR string.
      const addr = parseAddr(ip);
      const v4 = addr.kind() === 'ipv4';
      const mask = v4 ? this.mask4 : this.mask6;
      const bytes = addr.toByteArray();
      let base = true;
      for (let i = 0; i < bytes.length; i++) {
        const b = bytes[i]! & mask[i]!;
        if (b !== bytes[i]) base = false;
        bytes[i] = b;
      }
      block = `${v4 ? ipaddr.fromByteArray(bytes).toString() : ipv6BytesString(bytes)}/${v4 ? this.v4Size : this.v6Size}`;
      this.blocks.set(ip, block);
      if (base) this.bases.add(ip);
    }
    return block;
  }

  isBlockBase(ip: string): boolean {
    const u = dottedQuad(ip);
    if (u >= 0) return ((u & this.mask4u32) >>> 0) === u;
    this.blockOf(ip);
    return this.bases.has(ip);
  }

  private block4(net: number): string {
    let block = this.blocks4.get(net);
    if (block === undefined) {
      block = `${ipv4String(net)}/${this.v4Size}`;
      this.blocks4.set(net, block);
    }
    return block;
  }

  inCidrs(ip: string, cidrs: [ipaddr.IPv4 | ipaddr.IPv6, number][]): boolean {
    if (cidrs.length === 0) return false;
    let memo = this.matches.get(cidrs);
    if (!memo) {
      memo = new Map();
      this.matches.set(cidrs, memo);
    }
    let hit = memo.get(ip);
    if (hit === undefined) {
      const a = parseAddr(ip);
      hit = cidrs.some((c) => a.kind() === c[0].kind() && a.match(c));
      memo.set(ip, hit);
    }
    return hit;
  }
}

/** Packets by inner protocol of rows `rows` of `st`, summed; protocols without any left out. */
function protoCounts(st: StatsTable, rows: readonly number[]): Record<string, number> {
  let tcp = 0;
  let udp = 0;
  let icmp = 0;
  let other = 0;
  for (const e of rows) {
    tcp += st.get(e, TCP);
    udp += st.get(e, UDP);
    icmp += st.get(e, ICMP);
    other += st.otherPackets[e]!;
  }
  const o: Record<string, number> = {};
  if (tcp > 0) o.tcp = tcp;
  if (udp > 0) o.udp = udp;
  if (icmp > 0) o.icmp = icmp;
  if (other > 0) o.other = other;
  return o;
}

const UNDERLAY_SIDE = new Set(['underlay', 'other']);

interface NodeAcc {
  ip: string;
  name: string | null;
  interfaces: Set<string>;
  behind: Map<string, number>;
  macs: Set<string>;
  tunnelAddresses: Set<string>;
}

/** Build the report from a collector's tables, the captures' summaries and the options. */
export function buildReport(col: Collector, summaries: CaptureSummary[], opts: ReportOptions): Report {
  const idx = opts.nodeAddrs;
  const findings: Finding[] = [];
  const podCidrs = opts.podCidrs.map((c) => ipaddr.parseCIDR(c));
  const addrs = new AddrMemo(opts.blockSize);

  // ---- captures
  const captures: CaptureInfo[] = summaries.map((s, i) => ({
    file: s.file,
    format: s.format,
    compressed: s.compressed,
    packets: s.packets,
    bytes: s.captureBytes,
    interfaces: s.interfaces.map((f) => ({ id: f.id, name: f.name, linkType: f.linkType })),
    error: s.error ? { code: s.error.code, message: s.error.message, offset: s.error.offset, packet: s.error.packet } : null,
    truncatedPackets: col.counters[i]?.truncated ?? 0,
    headersCutPackets: col.counters[i]?.headersCut ?? 0,
    malformedPackets: col.counters[i]?.malformed ?? 0,
  }));

  // ---- node identity: address files, ARP, tunnel endpoints
  // A MAC's first address from ARP; else its first IPv6 one from neighbour discovery, a global
  // one before a link-local one (a dual-stack node is named by its IPv4 address, as ARP alone named it).
  const macToIp = new Map<string, string>();
  /**
   * A MAC's first address of each kind (IPv4, global IPv6, link-local IPv6): a node's own, not
   * its pods'. (The first only, as when ARP alone named nodes: a router answers for several.)
   */
  const learnedNodeIps = new Set<string>();
  for (const rank of [0, 1, 2]) {
    const seen = new Set<string>();
    for (let e = 0; e < col.arp.size; e++) {
      const v4 = col.arp.word(e, 2) === 4;
      const linkLocal = !v4 && col.arp.word(e, 3) >>> 22 === 0x3fa; // fe80::/10
      if ((v4 ? 0 : linkLocal ? 2 : 1) !== rank) continue;
      const mac = macOf(col.arp.word(e, 0), col.arp.word(e, 1));
      if (!mac || seen.has(mac)) continue;
      seen.add(mac);
      const ip = keyAddr(col.arp, e, 2);
      learnedNodeIps.add(ip);
      if (!macToIp.has(mac)) macToIp.set(mac, ip);
    }
  }
  const nodeOfMac = (mac: string | null): string | null => {
    if (!mac) return null;
    const owner = idx?.ownerOfMac(mac);
    if (owner) {
      const a = owner.iface.addresses.find((x) => x.family === 4) ?? owner.iface.addresses[0];
      if (a) return a.ip;
    }
    return macToIp.get(mac) ?? null;
  };
  const nodeName = (ip: string | null): string | null => (ip ? (idx?.ownerOf(ip)?.node.name ?? null) : null);

  // Interface identity of a capture's packets.
  const ifaceName = (capture: number, sel: number): { name: string | null; ifindex: number | null } => {
    if (sel >= 0x80000000) return { name: null, ifindex: sel - 0x80000000 };
    const s = summaries[capture];
    const name = s?.interfaces[sel]?.name ?? null;
    return { name: name && name !== 'any' ? name : null, ifindex: null };
  };

  /**
   * Resolve an SLL2 ifindex through the address file of a node at either end of the path.
   * `directions` (a stats row's DIRECTIONS bits: 1 in, 2 out) picks the end: the capturing node sent the
   * outgoing packets (it owns ips[0]) and received the incoming ones (it owns ips[1]). An
   * ifindex read in the peer's file names the wrong device when the nodes number their
   * NICs differently (found by test/analysis: node-b's ifindex 3 was its veth).
   */
  const ifindexOnNodes = (ifindex: number, ips: (string | null)[], directions = 0): { node: NodeAddrs; iface: NodeInterface } | null => {
    if (!idx) return null;
    const capturing = directions === 2 ? [ips[0] ?? null] : directions === 1 ? [ips[1] ?? null] : ips;
    const peer = directions === 2 ? (ips[1] ?? null) : directions === 1 ? (ips[0] ?? null) : null;
    for (const ip of capturing) {
      if (!ip) continue;
      const owner = idx.ownerOf(ip);
      if (!owner) continue;
      const iface = idx.interfaceByIndex(owner.node, ifindex);
      if (iface) return { node: owner.node, iface };
    }
    if (idx.nodes.length === 1) {
      const node = idx.nodes[0]!;
      // The one file given is not the capturing node's when it owns the peer end.
      const peerOwner = peer ? idx.ownerOf(peer) : null;
      const iface = peerOwner?.node === node ? null : idx.interfaceByIndex(node, ifindex);
      if (iface) return { node, iface };
    }
    return null;
  };

  /** Evidence that names an ifindex no file resolves ("if3"): it cannot disagree with a node file. */
  const unnamedIfindex = new WeakSet<InterfaceEvidence>();
  const attribute = (
    capture: number,
    sel: number,
    outerSrc: string | null,
    outerDst: string | null,
    directions = 0,
    frameMacs: [string | null, string | null] = [null, null],
  ): { iface: string | null; subnet: string | null; evidence: InterfaceEvidence[] } => {
    const evidence: InterfaceEvidence[] = [];
    const file = summaries[capture]?.file ?? '';
    const id = ifaceName(capture, sel);
    if (id.name) {
      evidence.push({ source: 'pcapng-interface-name', interface: id.name, detail: `captured on interface "${id.name}" (pcapng interface block in ${file})` });
    } else if (id.ifindex !== null) {
      const r = ifindexOnNodes(id.ifindex, [outerSrc, outerDst], directions);
      if (r) {
        evidence.push({ source: 'sll2-ifindex', interface: r.iface.name, detail: `captured on ifindex ${id.ifindex}, which is ${r.iface.name} in ${r.node.file}` });
      } else {
        // Named by index only: the capturing node's `ip -j addr show` would name it.
        const e: InterfaceEvidence = { source: 'sll2-ifindex', interface: `if${id.ifindex}`, detail: `captured on ifindex ${id.ifindex} (tcpdump -i any); no node address file names it` };
        unnamedIfindex.add(e);
        evidence.push(e);
      }
    } else if (opts.interfaceName) {
      evidence.push({ source: 'option', interface: opts.interfaceName, detail: `captured on ${opts.interfaceName} (--interface)` });
    }
    let subnet: string | null = null;
    // The end whose NIC MAC is on the captured frame is the capturing node: its NIC comes first.
    // (Across a router, the far node's MAC is not on the frame and its NIC is not the one captured.)
    const ownsFrame = (ip: string | null, mac: string | null): boolean => {
      const o = ip && idx && mac ? idx.ownerOf(ip) : null;
      return o !== null && o.iface.mac === mac;
    };
    const roles: [string | null, 'source' | 'destination'][] =
      !ownsFrame(outerSrc, frameMacs[0]) && ownsFrame(outerDst, frameMacs[1])
        ? [
            [outerDst, 'destination'],
            [outerSrc, 'source'],
          ]
        : [
            [outerSrc, 'source'],
            [outerDst, 'destination'],
          ];
    for (const [ip, role] of roles) {
      if (!ip || !idx) continue;
      const owner = idx.ownerOf(ip);
      if (!owner) continue;
      subnet ??= owner.address.subnet;
      evidence.push({
        source: 'node-address',
        interface: owner.iface.name,
        detail: `${role} ${ip} is ${owner.iface.name}'s address on ${owner.node.name} (${owner.node.file})`,
      });
    }
    if (!subnet && idx) {
      for (const ip of [outerSrc, outerDst]) {
        const s = ip ? idx.subnetOf(ip) : null;
        if (s) {
          subnet = s.address.subnet;
          break;
        }
      }
    }
    const first = evidence[0];
    return { iface: first ? first.interface : null, subnet, evidence };
  };

  // ---- tunnelled paths
  const paths: PathReport[] = [];
  const statsToPath = new StatsPaths();
  const nodes = new Map<string, NodeAcc>();
  const nodeAcc = (ip: string): NodeAcc => {
    let n = nodes.get(ip);
    if (!n) {
      n = { ip, name: nodeName(ip), interfaces: new Set(), behind: new Map(), macs: new Set(), tunnelAddresses: new Set() };
      nodes.set(ip, n);
    }
    return n;
  };

  // Address strings made once: each pod pair's, each path's outer ones (used again below, per pair),
  // recent IPv4 ones shared (V4Strings).
  const v4Strings = new V4Strings();
  const sharedAddr = (t: KeyTable, e: number, at: number): string => (t.word(e, at) === 4 ? v4Strings.of(t.word(e, at + 1)) : keyAddr(t, e, at));
  /** notPodAddress of the address at key word `at` (family, then four words): no text to read (a scan has 200,000 conversations). */
  const notPodAt = (t: KeyTable, e: number, at: number): boolean =>
    notPodAddress(t.word(e, at), t.word(e, at + 1), t.word(e, at + 2), t.word(e, at + 3), t.word(e, at + 4));
  const pairSrc: string[] = [];
  const pairDst: string[] = [];
  for (let e = 0; e < col.pairs.size; e++) {
    pairSrc.push(sharedAddr(col.pairs, e, 1));
    pairDst.push(sharedAddr(col.pairs, e, 6));
  }
  const pathSrc: string[] = [];
  const pathDst: string[] = [];
  for (let e = 0; e < col.paths.size; e++) {
    pathSrc.push(keyAddr(col.paths, e, 5));
    pathDst.push(keyAddr(col.paths, e, 10));
  }

  // Pairs per path entry, gathered once, as pair entries: objects only for the pairs listed
  // (100,000 PodPair objects were ~4 MB more at the peak of ipip-scan-2m's report).
  const pairsByPath = new Map<number, number[]>();
  for (let e = 0; e < col.pairs.size; e++) {
    const p = col.pairs.word(e, 0);
    let list = pairsByPath.get(p);
    if (!list) pairsByPath.set(p, (list = []));
    list.push(e);
  }
  const pairPackets = col.pairPackets;

  const st = col.pathStats;
  for (let e = 0; e < col.paths.size; e++) {
    const capture = col.paths.word(e, 0);
    const sel = col.paths.word(e, 1);
    const mode = MODE_NAMES[col.paths.word(e, 2)]!;
    const port = col.paths.word(e, 3);
    const id = col.paths.word(e, 4) - 1;
    const outerSrc = pathSrc[e]!;
    const outerDst = pathDst[e]!;
    const sm = statsMac(st, e, false);
    const dm = statsMac(st, e, true);
    const att = attribute(capture, sel, outerSrc, outerDst, st.get(e, DIRECTIONS), [sm, dm]);
    const pairs = (pairsByPath.get(e) ?? []).sort(
      (a, b) => pairPackets[b]! - pairPackets[a]! || textOrder(pairSrc[a]!, pairSrc[b]!) || textOrder(pairDst[a]!, pairDst[b]!),
    );
    paths.push({
      id: '',
      mode,
      outerSrc,
      outerDst,
      srcNode: nodeName(outerSrc),
      dstNode: nodeName(outerDst),
      srcMac: sm,
      dstMac: dm,
      interface: att.iface,
      subnet: att.subnet,
      interfaceEvidence: att.evidence,
      captures: [summaries[capture]?.file ?? ''],
      vni: mode === 'vxlan' || mode === 'geneve' || mode === 'gre' ? (id >= 0 ? id : null) : null,
      port: port > 0 ? port : null,
      packets: st.get(e, PACKETS),
      bytes: st.get(e, BYTES),
      encapBytes: st.get(e, ENCAP_BYTES),
      firstTs: st.get(e, FIRST_TS),
      lastTs: st.get(e, LAST_TS),
      maxOuterLength: st.get(e, MAX_OUTER),
      maxInnerLength: st.get(e, MAX_INNER),
      dfPackets: st.get(e, DF),
      fragmentedPackets: st.fragments[e]!,
      innerProtocols: protoCounts(st, [e]),
      podPairs: pairs.slice(0, opts.topPairs).map((p) => ({ src: pairSrc[p]!, dst: pairDst[p]!, packets: pairPackets[p]! })),
      podPairCount: pairs.length,
      podPairsCapped: st.pairOverflow[e]! > 0,
      maxSynMss: st.mss(e) >= 0 ? st.mss(e) : null,
      tcpHandshakes: { started: 0, unanswered: 0, synRetransmissions: 0 },
      tcpRetransmissions: 0,
      checksums: { checked: st.checksumsChecked[e]!, badReceived: st.badChecksumsIn[e]!, badSent: st.badChecksumsOut[e]!, badDirectionUnknown: st.badChecksumsUnknown[e]! },
      icmpRtt: rttSummary(st.rttsOf(e)),
      exampleFrames: st.examples(e).map((frame) => ({ capture: summaries[capture]?.file ?? '', frame })),
    });
    statsToPath.set(e, paths[paths.length - 1]!);
    // A frame MAC is the tunnel endpoint's own only when its node address file does not name
    // another MAC for that NIC: across a router the frame carries the router's MAC (cross-subnet:
    // node-c was reported with the router's MAC 02:5c:0c:01:00:00; found by test/golden).
    const endpointMac = (ip: string, mac: string): boolean => {
      const known = idx?.ownerOf(ip)?.iface.mac ?? null;
      return known === null || known === mac;
    };
    if (sm) {
      const n = nodeAcc(outerSrc);
      if (endpointMac(outerSrc, sm)) n.macs.add(sm);
    }
    if (dm) {
      const n = nodeAcc(outerDst);
      if (endpointMac(outerDst, dm)) n.macs.add(dm);
    }
  }

  // What sits behind each tunnel endpoint, and the inner pairs each capture saw (looked up only
  // for unencapsulated conversations, so made only when there are some). Pairs are keyed as the
  // tables hold them: the capture, then each address as five words (family, four address words),
  // the same for equal addresses. A string per pair and per conversation took ~0.1 s of a report
  // over a scan's 100,000 pairs and 200,000 conversations.
  const innerPairs = col.plain.size > 0 ? new KeyTable(11, undefined, col.pairs.size) : null;
  for (let e = 0; e < col.pairs.size; e++) {
    const path = col.pairs.word(e, 0);
    const src = pairSrc[e]!;
    const dst = pairDst[e]!;
    const n = col.pairPackets[e]!;
    const outerSrc = nodeAcc(pathSrc[path]!);
    const outerDst = nodeAcc(pathDst[path]!);
    // A link-local or multicast address carried by the tunnel (the tunnel device's own router
    // solicitation) is no pod behind its node.
    if (!notPodAt(col.pairs, e, 1)) outerSrc.behind.set(src, (outerSrc.behind.get(src) ?? 0) + n);
    if (!notPodAt(col.pairs, e, 6)) outerDst.behind.set(dst, (outerDst.behind.get(dst) ?? 0) + n);
    if (innerPairs) {
      const k = innerPairs.probe;
      k[0] = col.paths.word(path, 0);
      for (let i = 1; i < 11; i++) k[i] = col.pairs.word(e, i);
      innerPairs.lookup();
    }
  }
  const learnedBlocks = new Set<string>();
  for (const n of nodes.values()) for (const ip of n.behind.keys()) learnedBlocks.add(addrs.blockOf(ip));

  // ---- unencapsulated traffic: pod traffic (no-encap), copies of tunnelled packets, node traffic, other
  const knownNodeIps = new Set<string>(nodes.keys());
  for (const ip of learnedNodeIps) knownNodeIps.add(ip);
  if (idx) for (const n of idx.nodes) for (const f of n.interfaces) if (UNDERLAY_SIDE.has(f.kind)) for (const a of f.addresses) knownNodeIps.add(a.ip);

  let duplicatePodPackets = 0;
  let nodeTrafficPackets = 0;
  let otherPackets = col.nonIpPackets;
  let undecided = 0;
  const undecidedExamples: string[] = [];
  const overlaySideIfaces = new Set<string>();
  const noneGroups = new Map<
    string,
    { capture: number; sel: number; srcNode: string | null; dstNode: string | null; srcMac: string | null; dstMac: string | null; rows: number[]; pairs: PodPair[] }
  >();

  // SLL2 interfaces (-i any) on which Calico's veth MAC ee:ee:ee:ee:ee:ee sent anything are pod
  // veths: every unencapsulated packet on them is a copy. Without this, the packets a pod sends
  // into its veth (sender: the pod's own MAC) made a second no-encap path "node with MAC <pod MAC>"
  // and were counted twice with --pod-cidr (found by test/analysis).
  const vethSels = new Set<string>();
  for (let e = 0; e < col.plain.size; e++) {
    if (col.plainStats.calicoVethMac[e] && col.plain.word(e, 1) >= 0x80000000) vethSels.add(`${col.plain.word(e, 0)}/${col.plain.word(e, 1)}`);
  }

  // A capture of many conversations has few MACs: each one's string is made once (and hashed once
  // by the maps that look it up).
  const macText = new Map<number, string | null>();
  const plainMac = (e: number, at: number): string | null => {
    const hi = col.plain.word(e, at);
    const lo = col.plain.word(e, at + 1);
    const k = hi === NO_MAC && lo === NO_MAC ? -1 : hi * 0x100000000 + lo;
    let text = macText.get(k);
    if (text === undefined) macText.set(k, (text = macOf(hi, lo)));
    return text;
  };

  const ps = col.plainStats;
  for (let e = 0; e < col.plain.size; e++) {
    const packets = ps.get(e, PACKETS);
    const capture = col.plain.word(e, 0);
    const sel = col.plain.word(e, 1);
    const srcMac = plainMac(e, 2);
    const dstMac = plainMac(e, 4);
    const src = sharedAddr(col.plain, e, 6);
    const dst = sharedAddr(col.plain, e, 11);

    // Copies of pod packets on tunnel devices and pod veths (tcpdump -i any, multi-interface pcapng).
    const id = ifaceName(capture, sel);
    let kind: string | null = null;
    if (id.name && idx) {
      for (const n of idx.nodes) {
        const f = n.interfaces.find((x) => x.name === id.name);
        if (f) {
          kind = f.kind;
          break;
        }
      }
    }
    if (!kind && id.name) kind = /^(tunl\d|vxlan[.-]|flannel\.|cilium_|genev_sys|vxlan_sys|wireguard\.|wg\d)/.test(id.name) ? 'tunnel' : /^(cali|veth|lxc)/.test(id.name) ? 'pod-veth' : null;
    if (!kind && id.ifindex !== null) kind = ifindexOnNodes(id.ifindex, [src, dst])?.iface.kind ?? null;
    if (!kind && vethSels.size > 0 && vethSels.has(`${capture}/${sel}`)) kind = 'pod-veth';
    let innerCopy = false;
    if (innerPairs && innerPairs.size > 0) {
      const k = innerPairs.probe;
      k[0] = capture;
      for (let i = 1; i < 11; i++) k[i] = col.plain.word(e, 5 + i);
      innerCopy = innerPairs.find() >= 0;
    }
    if (kind === 'tunnel' || kind === 'pod-veth' || kind === 'loopback' || innerCopy || ps.calicoVethMac[e]) {
      if (innerCopy || kind === 'tunnel' || kind === 'pod-veth' || ps.calicoVethMac[e]) duplicatePodPackets += packets;
      else otherPackets += packets;
      overlaySideIfaces.add(id.name ?? (id.ifindex !== null ? `ifindex ${id.ifindex}` : ''));
      continue;
    }

    if (knownNodeIps.has(src) && knownNodeIps.has(dst)) {
      nodeTrafficPackets += packets;
      continue;
    }
    // Link-local, multicast and the like (neighbour discovery between the nodes' link-local
    // addresses, MLD, IGMP): no pod traffic, known as such. Before, their node MACs made them
    // "routed" pod traffic, a no-encapsulation path beside the tunnel.
    if (notPodAt(col.plain, e, 6) || notPodAt(col.plain, e, 11)) {
      otherPackets += packets;
      continue;
    }
    const srcNode = nodeOfMac(srcMac);
    const dstNode = nodeOfMac(dstMac);
    // Routed: the MAC is a node's, the address not one of that node's own (a dual-stack node is
    // named by its IPv4 address; its IPv6 one, from neighbour discovery, is no pod either).
    const routedFrom = srcNode !== null && srcNode !== src && !learnedNodeIps.has(src);
    const routedTo = dstNode !== null && dstNode !== dst && !learnedNodeIps.has(dst);
    const podByCidr = addrs.inCidrs(src, podCidrs) || addrs.inCidrs(dst, podCidrs);
    // Every learned block is a blockOf: an address lies in one exactly when its own block is it. (Matching
    // each address against every block as a CIDR took 2.4 s for 200,000 conversations beside a scan's blocks.)
    const podByBlocks = learnedBlocks.has(addrs.blockOf(src)) || learnedBlocks.has(addrs.blockOf(dst));
    const isPod = podByCidr || podByBlocks || (routedFrom && routedTo);
    if (!isPod) {
      // Neither end is a node's own address: pod traffic or not, podpath cannot tell, so it says so,
      // also when one MAC is a known node's (ARP from one side only; found by test/analysis).
      if (!knownNodeIps.has(src) && !knownNodeIps.has(dst)) {
        undecided += packets;
        if (undecidedExamples.length < 3) undecidedExamples.push(`${src} → ${dst}`);
      }
      otherPackets += packets;
      continue;
    }
    const key = `${capture}/${sel}/${srcNode ?? srcMac}/${dstNode ?? dstMac}`;
    let g = noneGroups.get(key);
    if (!g) noneGroups.set(key, (g = { capture, sel, srcNode, dstNode, srcMac, dstMac, rows: [], pairs: [] }));
    g.rows.push(e);
    g.pairs.push({ src, dst, packets });
    if (srcNode) nodeAcc(srcNode).behind.set(src, (nodeAcc(srcNode).behind.get(src) ?? 0) + packets);
    if (dstNode) nodeAcc(dstNode).behind.set(dst, (nodeAcc(dstNode).behind.get(dst) ?? 0) + packets);
  }

  for (const g of noneGroups.values()) {
    // Folds, not Math.min(...list): a group holds one row per conversation, and a sweep of
    // 130,000 pod addresses overflowed the call stack with a spread (found by test/fuzz).
    const sum = (f: number): number => g.rows.reduce((a, e) => a + ps.get(e, f), 0);
    const att = attribute(g.capture, g.sel, g.srcNode, g.dstNode, g.rows.reduce((a, e) => a | ps.get(e, DIRECTIONS), 0), [g.srcMac, g.dstMac]);
    const pairs = g.pairs.sort((a, b) => b.packets - a.packets || textOrder(a.src, b.src));
    const frames: number[] = [];
    for (const e of g.rows) ps.examplesInto(e, frames);
    const examples = frames.sort((a, b) => a - b).slice(0, 5);
    const maxMss = g.rows.reduce((m, e) => Math.max(m, ps.mss(e)), -1);
    paths.push({
      id: '',
      mode: 'none',
      outerSrc: g.srcNode,
      outerDst: g.dstNode,
      srcNode: nodeName(g.srcNode),
      dstNode: nodeName(g.dstNode),
      srcMac: g.srcMac,
      dstMac: g.dstMac,
      interface: att.iface,
      subnet: att.subnet,
      interfaceEvidence: att.evidence,
      captures: [summaries[g.capture]?.file ?? ''],
      vni: null,
      port: null,
      packets: sum(PACKETS),
      bytes: sum(BYTES),
      encapBytes: 0,
      firstTs: g.rows.reduce((m, e) => Math.min(m, ps.get(e, FIRST_TS)), Infinity),
      lastTs: g.rows.reduce((m, e) => Math.max(m, ps.get(e, LAST_TS)), -Infinity),
      maxOuterLength: g.rows.reduce((m, e) => Math.max(m, ps.get(e, MAX_OUTER)), -Infinity),
      maxInnerLength: g.rows.reduce((m, e) => Math.max(m, ps.get(e, MAX_OUTER)), -Infinity),
      dfPackets: sum(DF),
      fragmentedPackets: g.rows.reduce((a, e) => a + ps.fragments[e]!, 0),
      innerProtocols: protoCounts(ps, g.rows),
      podPairs: pairs.slice(0, opts.topPairs),
      podPairCount: pairs.length,
      podPairsCapped: false,
      maxSynMss: maxMss >= 0 ? maxMss : null,
      tcpHandshakes: { started: 0, unanswered: 0, synRetransmissions: 0 },
      tcpRetransmissions: 0,
      checksums: { checked: 0, badReceived: 0, badSent: 0, badDirectionUnknown: 0 },
      icmpRtt: rttSummary(ps.rttsOfRows(g.rows)),
      exampleFrames: examples.map((frame) => ({ capture: summaries[g.capture]?.file ?? '', frame })),
    });
    for (const e of g.rows) statsToPath.set(plainRef(e), paths[paths.length - 1]!);
    if (g.srcNode && g.srcMac) nodeAcc(g.srcNode).macs.add(g.srcMac);
    if (g.dstNode && g.dstMac) nodeAcc(g.dstNode).macs.add(g.dstMac);
  }

  // Stable order: by node pair, then mode, then interface.
  paths.sort(
    (a, b) =>
      cmp(a.outerSrc, b.outerSrc) || cmp(a.outerDst, b.outerDst) || cmp(a.mode, b.mode) || cmp(a.interface, b.interface) || cmp(a.captures[0], b.captures[0]) || b.packets - a.packets,
  );
  paths.forEach((p, i) => (p.id = `p${i + 1}`));

  // ---- nodes
  if (idx) {
    for (const n of idx.nodes) {
      // Every node with an address file appears, even one that carried nothing.
      const used = [...nodes.values()].some((acc) => acc.name === n.name);
      if (used) continue;
      const a = n.interfaces.filter((f) => f.kind === 'underlay').flatMap((f) => f.addresses).find((x) => x.family === 4);
      if (a) nodeAcc(a.ip);
    }
  }
  const nodeReports: NodeReport[] = [];
  for (const n of nodes.values()) {
    const nodeFile = idx?.ownerOf(n.ip)?.node ?? null;
    const tunnelIfaceAddrs = new Set<string>();
    if (nodeFile) for (const f of nodeFile.interfaces) if (f.kind === 'tunnel') for (const a of f.addresses) tunnelIfaceAddrs.add(a.ip);
    // The node file names them outright; without one, a pod-block base address seen as a source is Calico's usual choice.
    for (const ip of tunnelIfaceAddrs) if (!ip.startsWith('fe80:')) n.tunnelAddresses.add(ip);
    if (!nodeFile) for (const ip of n.behind.keys()) if (addrs.isBlockBase(ip)) n.tunnelAddresses.add(ip);
    const underlay = nodeFile ? nodeFile.interfaces.filter((f) => f.kind === 'underlay' && f.addresses.length > 0).map((f) => f.name) : [];
    const own = idx?.ownerOf(n.ip);
    if (own) n.interfaces.add(own.iface.name);
    const blocks = new Set<string>();
    for (const ip of n.behind.keys()) blocks.add(addrs.blockOf(ip));
    nodeReports.push({
      ip: n.ip,
      name: n.name,
      interfaces: [...n.interfaces].sort(),
      underlayInterfaces: underlay.sort(),
      podBlocks: sortAddrs([...blocks]),
      podAddressCount: n.behind.size,
      tunnelAddresses: sortAddrs([...n.tunnelAddresses]),
      macs: [...n.macs].sort(),
      subnet: idx?.ownerOf(n.ip)?.address.subnet ?? null,
    });
  }
  nodeReports.sort((a, b) => compareAddr(a.ip, b.ip));

  // ---- findings
  for (const [i, c] of captures.entries()) {
    if (c.error) {
      findings.push({
        severity: 'error',
        code: c.error.code === 'truncated_tail' ? 'capture.truncated' : 'capture.damaged',
        message: `${c.error.message}; the report covers the ${c.packets} packets before it`,
      });
    }
    if (c.truncatedPackets > 0) findings.push(snaplenFinding(c, col.counters[i]?.firstHeadersCut ?? null));
  }
  const podPaths = paths;
  if (podPaths.length === 0 && captures.some((c) => c.packets > 0)) {
    findings.push({
      severity: 'warning',
      code: 'traffic.no_pod_traffic',
      message: 'no pod traffic found: no tunnelled packets, and no unencapsulated traffic podpath could tell was pod traffic',
      remedy: 'capture on the node NIC while pods on different nodes talk (e.g. kubectl exec ... ping); for no-encap clusters pass --pod-cidr or --node-addrs',
    });
  }
  if (undecided > 0) {
    findings.push({
      severity: 'info',
      code: 'traffic.unclassified',
      message: `${undecided} unencapsulated packets between addresses podpath cannot place (e.g. ${undecidedExamples.join(', ')}): it cannot tell pod traffic from other traffic there`,
      remedy: 'pass --pod-cidr with the cluster pod CIDR, or --node-addrs files (ip -j addr show from each node), to classify them',
    });
  }
  const unnamed = paths.filter((p) => !p.interface);
  if (unnamed.length > 0) {
    findings.push({
      severity: 'info',
      code: 'attribution.unknown_interface',
      message: `no evidence names the NIC that carried ${unnamed.length === paths.length ? 'any path' : unnamed.map((p) => `${describeEnds(p)} (${modeLabel(p.mode)})`).join('; ')}`,
      paths: unnamed.map((p) => p.id),
      remedy: "pass --node-addrs NODE=FILE with each node's `ip -j addr show`, or capture with dumpcap/pcapng (interface names), or name it with --interface",
    });
  }
  for (const p of paths) {
    // "if3" (an unresolved SLL2 ifindex) is no name to compare: only the peer's file was given, or none
    // for this node; counting it made a false conflict (found by test/analysis).
    const names = new Set(p.interfaceEvidence.filter((x) => x.source !== 'node-address' && !unnamedIfindex.has(x)).map((x) => x.interface));
    // Only the capturing node's file can contradict the capture: a node whose file has no interface
    // of the captured name is not it (e.g. only the peer's file was given, and its NIC is eth1 where
    // the capture says ens192); its NIC names are its own business (false conflict found by test/analysis).
    const owners = new Set<string>();
    for (const ip of [p.outerSrc, p.outerDst]) {
      const owner = ip && idx ? idx.ownerOf(ip) : null;
      if (owner && owner.node.interfaces.some((f) => names.has(f.name))) owners.add(owner.iface.name);
    }
    if (names.size > 0 && owners.size > 0 && ![...owners].some((o) => names.has(o))) {
      findings.push({
        severity: 'warning',
        code: 'attribution.conflict',
        message: `${describeEnds(p)}: captured on ${[...names].join(', ')} but the tunnel endpoint address belongs to ${[...owners].join(', ')}: the tunnel's source address and the NIC that carries it differ (routing sends it out another NIC)`,
        paths: [p.id],
        remedy: 'check the node address Calico chose (IP_AUTODETECTION_METHOD) and the route to the peer node: ip route get <peer node IP>',
      });
    }
  }
  findings.push(...pairFindings(paths));
  // Bounded memory: what did not fit is counted and said, never silently dropped.
  const capped = paths.filter((p) => p.podPairsCapped);
  const overflow = col.overflow.paths + col.overflow.plain;
  const tcpOverflow = col.tcpFlows.overflow;
  if (overflow > 0 || capped.length > 0 || tcpOverflow > 0) {
    findings.push({
      severity: 'warning',
      code: 'analysis.limits_reached',
      message: `the captures hold more distinct flows than podpath keeps in memory (${formatCount(col.limits.maxPaths)} paths, ${formatCount(col.limits.maxPodPairs)} pod pairs, ${formatCount(col.limits.maxPlain)} unencapsulated conversations, ${formatCount(col.limits.maxTcpFlows)} TCP connections): ${formatCount(overflow)} packets are counted only in the totals${capped.length > 0 ? `, and pod pair counts of ${capped.length} paths are lower bounds` : ''}${tcpOverflow > 0 ? `; ${formatCount(tcpOverflow)} TCP segments of further connections were not checked for retransmissions` : ''}`,
      ...(capped.length > 0 ? { paths: capped.map((p) => p.id) } : {}),
      remedy: 'analyse a shorter capture, or filter it (tcpdump -r big.pcap -w small.pcap "host NODE_IP")',
    });
  }
  // Handshakes per path (the SYN table points at the stats of the path that carried each SYN).
  for (let e = 0; e < col.syns.size; e++) {
    if (col.synCount[e] === 0) continue;
    const path = statsToPath.get(col.synStats[e]!);
    if (!path) continue;
    path.tcpHandshakes.started++;
    if (!col.synAnswered[e]) path.tcpHandshakes.unanswered++;
    path.tcpHandshakes.synRetransmissions += col.synCount[e]! - 1;
  }
  for (const d of col.tcpFlows.directions()) {
    const path = statsToPath.get(d.stats);
    if (path) path.tcpRetransmissions += d.retransmissions;
  }
  findings.push(
    ...networkFindings({
      paths,
      nodes: nodeReports,
      index: idx,
      collector: col,
      captureFiles: summaries.map((s) => s.file),
      vxlanPorts: opts.vxlanPorts,
      statsToPath,
    }),
  );

  const verdicts = buildVerdicts(paths, nodeReports);
  const totalPackets = col.counters.reduce((a, c) => a + c.packets, 0);
  const podPackets = paths.reduce((a, p) => a + p.packets, 0);
  return {
    schema: REPORT_SCHEMA,
    generatedBy: `podpath ${VERSION}`,
    captures,
    paths,
    nodes: nodeReports,
    findings,
    verdicts,
    options: { blockSize: opts.blockSize, vxlanPorts: opts.vxlanPorts, podCidrs: opts.podCidrs },
    totals: {
      packets: totalPackets,
      podPackets,
      duplicatePodPackets,
      nodeTrafficPackets,
      otherPackets: Math.max(0, otherPackets),
      overflowPackets: col.overflow.paths + col.overflow.plain,
    },
  };
}

/** Header names by the first part of the decoder's issue codes ("tcp" of "tcp.truncated_options"). */
const HEADER_NAMES: Record<string, string> = {
  arp: 'ARP',
  eth: 'Ethernet',
  geneve: 'Geneve',
  gre: 'GRE',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  null: 'loopback',
  raw: 'IP',
  sll: 'Linux cooked (SLL)',
  sll2: 'Linux cooked (SLL2)',
  tcp: 'TCP',
  udp: 'UDP',
  vlan: '802.1Q',
  vxlan: 'VXLAN',
};

/**
 * Where a packet's bytes stop, from the decoder's issue code: "cut inside
 * the inner TCP header, which starts at byte 84", "cut inside the options of
 * the IPv4 header, ...", or "cut where the inner ICMP header starts".
 */
function cutWhere(cut: HeadersCut): string {
  const dot = cut.issue.indexOf('.');
  const proto = dot < 0 ? cut.issue : cut.issue.slice(0, dot);
  const name = `the ${cut.inner ? 'inner ' : ''}${HEADER_NAMES[proto] ?? proto} header`;
  if (cut.offset >= cut.capturedBytes) return `cut where ${name} starts`;
  return `cut inside ${cut.issue.endsWith('_options') ? `the options of ${name}` : name}, which starts at byte ${formatCount(cut.offset)}`;
}

/**
 * capture.snaplen: packets captured short. Cut after their headers (a
 * headers-only capture, tcpdump -s 128) loses nothing the analysis reads:
 * lengths come from the headers. Cut inside a header, a packet is decoded
 * only up to the cut, and what that header carries is missing.
 */
function snaplenFinding(c: CaptureInfo, first: HeadersCut | null): Finding {
  const n = c.truncatedPackets;
  const m = c.headersCutPackets;
  if (m === 0 || first === null) {
    return {
      severity: 'info',
      code: 'capture.snaplen',
      message: `${c.file}: ${formatCount(n)} packet${n === 1 ? ' was' : 's were'} cut by the capture's snaplen after ${n === 1 ? 'its' : 'their'} headers (a headers-only capture): every header was decoded, and packet sizes are the ones the headers give`,
    };
  }
  const who = m === n ? `${formatCount(n)} packet${n === 1 ? '' : 's'} captured short end${n === 1 ? 's' : ''}` : `${formatCount(m)} of the ${formatCount(n)} packets captured short end`;
  return {
    severity: 'warning',
    code: 'capture.snaplen',
    message: `${c.file}: ${who} inside a header (the first: frame ${formatCount(first.frame)}, ${formatCount(first.capturedBytes)} of ${formatCount(first.wireBytes)} bytes captured, ${cutWhere(first)}): such packets are decoded only up to the cut, so what the missing headers carry (for the pod's TCP: retransmissions, segment sizes, the MTU findings) is not in the report`,
    remedy: 'capture whole packets (tcpdump -s 0, the default), or at least every header: -s 256 keeps those of IPIP, VXLAN, GRE and Geneve (with up to 64 bytes of options), over IPv4 or IPv6',
  };
}

/** Median and range of round-trip times in milliseconds (3 decimals), null without samples. */
export function rttSummary(rtts: readonly number[]): RttSummary | null {
  if (rtts.length === 0) return null;
  const sorted = [...rtts].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  const ms = (x: number): number => Math.round(x * 1e6) / 1e3;
  return { samples: sorted.length, medianMs: ms(median), minMs: ms(sorted[0]!), maxMs: ms(sorted[sorted.length - 1]!) };
}

function cmp(a: string | null | undefined, b: string | null | undefined): number {
  if (a === b) return 0;
  if (a == null) return 1;
  if (b == null) return -1;
  if (isAddr(a) && isAddr(b)) return compareAddr(a, b);
  return a < b ? -1 : 1;
}

/** ipaddr.isValid, without ipaddr.js's parser for the addresses the report writes. */
function isAddr(a: string): boolean {
  return dottedQuad(a) >= 0 || parseIpv6Groups(a, bytes6) || ipaddr.isValid(a);
}

/**
 * An address as the report writes it (a dotted quad from ipv4String, IPv6
 * text, either maybe with "/bits"). A plain dotted quad is read directly:
 * ipaddr.js's general parser (octal, hex and short forms, through several
 * regular expressions) was most of the report's time over ipip-scan-2m's
 * 100,000 pod addresses. So is IPv6 written in hexadecimal groups
 * (parseIpv6Groups), as the report writes it. Anything else goes to ipaddr.js.
 */
function parseAddr(ip: string): ipaddr.IPv4 | ipaddr.IPv6 {
  const u = dottedQuad(ip);
  if (u >= 0) return new ipaddr.IPv4([u >>> 24, (u >>> 16) & 255, (u >>> 8) & 255, u & 255]);
  const bytes = new Array<number>(16);
  if (parseIpv6Groups(ip, bytes)) return new ipaddr.IPv6(bytes);
  return ipaddr.parse(ip);
}

/**
 * A canonical dotted quad (four decimal octets 0-255, no leading zeros: "010"
 * is octal to ipaddr.js) as a u32; -1 for anything else, which goes to ipaddr.js.
 */
export function dottedQuad(ip: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + octet;
}

function compareAddr(a: string, b: string): number {
  const x = parseAddr(a.split('/')[0]!).toByteArray();
  const y = parseAddr(b.split('/')[0]!).toByteArray();
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

function sortAddrs(list: string[]): string[] {
  return list.sort(compareAddr);
}


function nodeLabel(ip: string | null, name: string | null, mac: string | null): string {
  if (ip) return name ? `${name} (${ip})` : `node ${ip}`;
  return mac ? `node with MAC ${mac}` : 'an unknown node';
}

function describeEnds(p: PathReport): string {
  return `${nodeLabel(p.outerSrc, p.srcNode, p.srcMac)} → ${nodeLabel(p.outerDst, p.dstNode, p.dstMac)}`;
}

function pairKey(p: PathReport): { key: string; forward: boolean } {
  const a = p.outerSrc ?? p.srcMac ?? '?';
  const b = p.outerDst ?? p.dstMac ?? '?';
  const forward = cmp(a, b) <= 0;
  return { key: forward ? `${a}|${b}` : `${b}|${a}`, forward };
}

function howLabel(p: PathReport): string {
  let s = modeLabel(p.mode);
  if (p.mode === 'vxlan' || p.mode === 'geneve') s += `${p.vni !== null ? ` VNI ${p.vni}` : ''}${p.port !== null ? ` UDP ${p.port}` : ''}`;
  return `${s} over ${p.interface ?? 'an unidentified NIC'}${p.subnet ? ` (${p.subnet})` : ''}`;
}

/** Paths by unordered node pair, each direction apart (forward: the lower address sends). */
function groupByNodePair(paths: PathReport[]): Map<string, { fwd: PathReport[]; rev: PathReport[] }> {
  const groups = new Map<string, { fwd: PathReport[]; rev: PathReport[] }>();
  for (const p of paths) {
    const { key, forward } = pairKey(p);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { fwd: [], rev: [] }));
    (forward ? g.fwd : g.rev).push(p);
  }
  return groups;
}

/** The NIC path p was captured on, from the capture's own evidence; null when only node address files name one. */
function capturedOn(p: PathReport): string | null {
  const first = p.interfaceEvidence[0];
  return first && first.source !== 'node-address' ? p.interface : null;
}

function pairFindings(paths: PathReport[]): Finding[] {
  const out: Finding[] = [];
  const groups = groupByNodePair(paths);
  for (const g of groups.values()) {
    const all = [...g.fwd, ...g.rev];
    const modes = new Set(all.map((p) => p.mode));
    const first = all[0]!;
    const ids = all.map((p) => p.id);
    if (modes.size > 1) {
      const fm = new Set(g.fwd.map((p) => p.mode));
      const rm = new Set(g.rev.map((p) => p.mode));
      const asym = g.fwd.length > 0 && g.rev.length > 0 && fm.size === 1 && rm.size === 1 && [...fm][0] !== [...rm][0];
      out.push({
        severity: 'warning',
        code: asym ? 'path.asymmetric_mode' : 'path.mixed_modes',
        message: asym
          ? `${describeEnds(g.fwd[0]!)} uses ${modeLabel(g.fwd[0]!.mode)} but the reverse direction uses ${modeLabel(g.rev[0]!.mode)}: a half-applied change (e.g. CrossSubnet on one side)`
          : `${describeEnds(first)}: pod traffic between these nodes is seen in several modes (${[...modes].map((m) => modeLabel(m as Mode)).join(', ')})`,
        paths: ids,
        remedy: 'check the IPPool ipipMode/vxlanMode on all pools and restart calico-node on both nodes so both sides agree',
      });
    }
    // Only NICs the packets were captured on (a pcapng interface, tcpdump -i any's ifindex,
    // --interface) are compared. A NIC named from node address files alone is the sending node's
    // (its node address's NIC): the two directions' are on two different nodes, and nodes that
    // name their NICs differently (a-eth1, b-eth1; ens5, eno1) are no asymmetry.
    const fIf = new Set(g.fwd.map(capturedOn));
    const rIf = new Set(g.rev.map(capturedOn));
    if (g.fwd.length > 0 && g.rev.length > 0 && modes.size === 1 && fIf.size === 1 && rIf.size === 1 && [...fIf][0] && [...rIf][0] && [...fIf][0] !== [...rIf][0]) {
      out.push({
        severity: 'warning',
        code: 'path.asymmetric_interface',
        message: `${describeEnds(g.fwd[0]!)} runs over ${[...fIf][0]} but the reverse direction over ${[...rIf][0]}`,
        paths: ids,
        remedy: 'pin the node address on both nodes with IP_AUTODETECTION_METHOD=interface=<NIC> (or cidr=<subnet>)',
      });
    }
    if ((g.fwd.length === 0 || g.rev.length === 0) && first.mode !== 'none' && first.mode !== 'wireguard') {
      out.push({
        severity: 'warning',
        code: 'path.one_way',
        message: `${describeEnds(first)}: ${modeLabel(first.mode)} traffic seen in this direction only, nothing came back in the capture`,
        paths: ids,
        remedy:
          first.mode === 'vxlan'
            ? 'check that UDP 4789 is allowed between the nodes (firewall, security group) and that the capture saw both directions'
            : 'check that IP protocol 4 is allowed between the nodes (firewalls, cloud security groups, source/destination check) and that the capture saw both directions',
      });
    }
  }
  return out;
}

function buildVerdicts(paths: PathReport[], nodes: NodeReport[]): string[] {
  const blocksOf = (ip: string | null): string => {
    if (!ip) return 'pods';
    const n = nodes.find((x) => x.ip === ip);
    const b = n?.podBlocks ?? [];
    if (b.length === 0) return 'pods';
    return b.length <= 3 ? b.join(', ') : `${b.slice(0, 3).join(', ')} and ${b.length - 3} more block${b.length === 4 ? '' : 's'}`;
  };
  const groups = groupByNodePair(paths);
  const out: string[] = [];
  for (const g of groups.values()) {
    const a = g.fwd[0] ?? g.rev[0]!;
    const [ipA, nameA, macA, ipB, nameB, macB] = g.fwd[0]
      ? [a.outerSrc, a.srcNode, a.srcMac, a.outerDst, a.dstNode, a.dstMac]
      : [a.outerDst, a.dstNode, a.dstMac, a.outerSrc, a.srcNode, a.srcMac];
    const total = [...g.fwd, ...g.rev].reduce((s, p) => s + p.packets, 0);
    const head = `${blocksOf(ipA)} on ${nodeLabel(ipA, nameA, macA)} ⇄ ${blocksOf(ipB)} on ${nodeLabel(ipB, nameB, macB)}`;
    const fHow = [...new Set(g.fwd.map(howLabel))];
    const rHow = [...new Set(g.rev.map(howLabel))];
    let body: string;
    if (fHow.length === 1 && rHow.length === 1 && fHow[0] === rHow[0]) body = `${fHow[0]} both ways`;
    else if (g.rev.length === 0) body = `${fHow.join(' and ')}, only → seen`;
    else if (g.fwd.length === 0) body = `${rHow.join(' and ')}, only ← seen`;
    else body = `→ ${fHow.join(' and ')}; ← ${rHow.join(' and ')}`;
    out.push(`${head}: ${body}, ${formatCount(total)} packet${total === 1 ? '' : 's'}.`);
  }
  return out;
}
