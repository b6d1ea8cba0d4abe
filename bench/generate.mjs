#!/usr/bin/env node
/**
 * Deterministic benchmark captures (classic pcap, microsecond, Ethernet).
 *
 *   node bench/generate.mjs                 every capture
 *   node bench/generate.mjs --only ipip     captures whose name contains "ipip"
 *
 * Every byte comes from a seeded PRNG (no Math.random, no clock), so the same
 * script always writes the same files. A file that already exists with the
 * size a dry run predicts is reused. Files are written through one big reused
 * buffer into `<name>.tmp` and renamed when complete: memory stays flat and an
 * interrupted run never leaves a half file under the real name. A sidecar
 * `<name>.json` records a hash of this script, so an edit to the generator
 * that keeps the sizes still causes the files to be rewritten.
 *
 * Header lengths are right (IPv4 total length, UDP length, TCP data offset);
 * IPv4 header checksums are computed; UDP checksums are 0 ("none", valid for
 * IPv4) and TCP/ICMP checksums are 0 (nothing here validates them).
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, statfsSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const DATA_DIR = join(dirname(fileURLToPath(import.meta.url)), 'data');

// ---------------------------------------------------------------------------
// PRNG: mulberry32, one independent stream per capture (seeded by name).

export function mulberry32(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    /** [0, 1) */
    next,
    /** integer in [0, n) */
    int: (n) => Math.floor(next() * n),
    /** 32-bit unsigned */
    u32: () => Math.floor(next() * 4294967296) >>> 0,
  };
}

// ---------------------------------------------------------------------------
// The cluster the captures pretend to come from.

const ip = (a, b, c, d) => ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;

/** Node (underlay) addresses: a handful of 172.16.x.y. */
const NODE_IPS = [ip(172, 16, 0, 11), ip(172, 16, 0, 12), ip(172, 16, 0, 13), ip(172, 16, 1, 21), ip(172, 16, 1, 22), ip(172, 16, 2, 31)];

/** Pod /26 blocks in 10.244.0.0/16 per node (some nodes hold two blocks, as Calico allocates them). */
const POD_BLOCKS = [
  [ip(10, 244, 0, 0), ip(10, 244, 0, 64)],
  [ip(10, 244, 1, 0)],
  [ip(10, 244, 2, 128)],
  [ip(10, 244, 3, 0), ip(10, 244, 3, 192)],
  [ip(10, 244, 4, 64)],
  [ip(10, 244, 5, 0)],
];

/** Addresses outside the cluster for the no-encap traffic. */
const EXTERNAL_IPS = [ip(192, 168, 10, 5), ip(192, 168, 10, 6), ip(8, 8, 8, 8), ip(151, 101, 1, 69)];

/** Node NIC MACs and VTEP (flannel.1 / vxlan.calico) MACs, as 48-bit numbers. */
const NODE_MACS = NODE_IPS.map((a) => 0x0242ac100000 + (a & 0xffff));
const VTEP_MACS = NODE_IPS.map((_, i) => 0x0a5800f40000 + i * 0x101);
const GATEWAY_MAC = 0x001c73000001;

const VXLAN_PORT = 4789;
/** IPv6 captures: fd00:ac10::<node's IPv4 number> for nodes, fd00:244::<pod's> for pods (the same /122 blocks). */
const NODE6_PREFIX = 0xfd00ac10;
const POD6_PREFIX = 0xfd000244;
const GENEVE_PORT = 6081;
const VXLAN_VNI = 4096;
const GENEVE_VNI = 7;
const VLAN_ID = 100;

const SERVICE_PORTS = [80, 443, 8080, 9090, 5432, 6379, 53, 2379];

/** Deterministic bytes to copy payloads from (content never matters, only its length). */
const PATTERN = (() => {
  const r = mulberry32(0x5eed);
  const b = Buffer.allocUnsafe(4096);
  for (let i = 0; i < b.length; i++) b[i] = r.int(256);
  return b;
})();

const MAX_PAYLOAD = 1400;

/**
 * Mixed payload sizes, bimodal like real pod traffic: 30% empty (pure ACKs),
 * 30% full 1400-byte segments, 40% anything in between. Mean 700.
 */
function payloadSize(r) {
  const u = r.next();
  if (u < 0.3) return 0;
  if (u < 0.6) return MAX_PAYLOAD;
  return 1 + r.int(MAX_PAYLOAD - 1);
}

/** A fixed population of pod-to-pod flows; packets pick among them with a skew (a few heavy flows). */
function makeFlows(r, count, protos) {
  const flows = [];
  for (let i = 0; i < count; i++) {
    const srcNode = r.int(NODE_IPS.length);
    let dstNode = r.int(NODE_IPS.length - 1);
    if (dstNode >= srcNode) dstNode++;
    const sb = POD_BLOCKS[srcNode];
    const db = POD_BLOCKS[dstNode];
    const u = r.next();
    let proto = protos[protos.length - 1][0];
    let acc = 0;
    for (const [p, w] of protos) {
      acc += w;
      if (u < acc) {
        proto = p;
        break;
      }
    }
    flows.push({
      srcNode,
      dstNode,
      srcPod: (sb[r.int(sb.length)] + 2 + r.int(60)) >>> 0,
      dstPod: (db[r.int(db.length)] + 2 + r.int(60)) >>> 0,
      proto,
      sport: 32768 + r.int(28232),
      dport: SERVICE_PORTS[r.int(SERVICE_PORTS.length)],
      // Linux picks the VXLAN source port from a hash of the inner flow: one per flow and direction.
      vxSport: [32768 + r.int(28232), 32768 + r.int(28232)],
      seq: [r.u32(), r.u32()],
      icmpId: r.int(65536),
    });
  }
  return flows;
}

const pickFlow = (r, flows) => flows[Math.floor(flows.length * r.next() * r.next())];

// ---------------------------------------------------------------------------
// Header writers: each writes at `o` and returns the offset after the header.

function mac(b, o, m) {
  const hi = Math.floor(m / 0x100000000);
  b[o] = hi >>> 8;
  b[o + 1] = hi & 0xff;
  b.writeUInt32BE(m >>> 0, o + 2);
}

function eth(b, o, dst, src, type) {
  mac(b, o, dst);
  mac(b, o + 6, src);
  b[o + 12] = type >>> 8;
  b[o + 13] = type & 0xff;
  return o + 14;
}

function vlan(b, o, vid, type) {
  b[o] = vid >>> 8;
  b[o + 1] = vid & 0xff;
  b[o + 2] = type >>> 8;
  b[o + 3] = type & 0xff;
  return o + 4;
}

let ipIdCounter = 0;

function ipv4(b, o, totalLength, proto, src, dst, ttl) {
  b[o] = 0x45;
  b[o + 1] = 0;
  b[o + 2] = totalLength >>> 8;
  b[o + 3] = totalLength & 0xff;
  ipIdCounter = (ipIdCounter + 1) & 0xffff;
  b[o + 4] = ipIdCounter >>> 8;
  b[o + 5] = ipIdCounter & 0xff;
  b[o + 6] = 0x40; // DF
  b[o + 7] = 0;
  b[o + 8] = ttl;
  b[o + 9] = proto;
  b[o + 10] = 0;
  b[o + 11] = 0;
  b.writeUInt32BE(src, o + 12);
  b.writeUInt32BE(dst, o + 16);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (b[o + i] << 8) | b[o + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  sum = ~sum & 0xffff;
  b[o + 10] = sum >>> 8;
  b[o + 11] = sum & 0xff;
  return o + 20;
}

/** IPv6 (no extension headers); addresses as a prefix word and the IPv4-style number in the last word. */
function ipv6(b, o, payloadLength, nextHeader, prefix, src, dst, hopLimit) {
  b.writeUInt32BE(0x60000000, o);
  b[o + 4] = payloadLength >>> 8;
  b[o + 5] = payloadLength & 0xff;
  b[o + 6] = nextHeader;
  b[o + 7] = hopLimit;
  for (const [at, a] of [
    [8, src],
    [24, dst],
  ]) {
    b.writeUInt32BE(prefix, o + at);
    b.writeUInt32BE(0, o + at + 4);
    b.writeUInt32BE(0, o + at + 8);
    b.writeUInt32BE(a >>> 0, o + at + 12);
  }
  return o + 40;
}

function udp(b, o, sport, dport, payloadLength) {
  const len = 8 + payloadLength;
  b[o] = sport >>> 8;
  b[o + 1] = sport & 0xff;
  b[o + 2] = dport >>> 8;
  b[o + 3] = dport & 0xff;
  b[o + 4] = len >>> 8;
  b[o + 5] = len & 0xff;
  b[o + 6] = 0;
  b[o + 7] = 0;
  return o + 8;
}

const TCP_ACK = 0x10;
const TCP_PSH_ACK = 0x18;
const TCP_SYN = 0x02;

function tcp(b, o, sport, dport, seq, ack, flags) {
  b[o] = sport >>> 8;
  b[o + 1] = sport & 0xff;
  b[o + 2] = dport >>> 8;
  b[o + 3] = dport & 0xff;
  b.writeUInt32BE(seq >>> 0, o + 4);
  b.writeUInt32BE(ack >>> 0, o + 8);
  b[o + 12] = 5 << 4;
  b[o + 13] = flags;
  b[o + 14] = 0xfa; // window 64240
  b[o + 15] = 0xf0;
  b[o + 16] = 0;
  b[o + 17] = 0;
  b[o + 18] = 0;
  b[o + 19] = 0;
  return o + 20;
}

function icmpEcho(b, o, type, id, seq) {
  b[o] = type;
  b[o + 1] = 0;
  b[o + 2] = 0;
  b[o + 3] = 0;
  b[o + 4] = id >>> 8;
  b[o + 5] = id & 0xff;
  b[o + 6] = (seq >>> 8) & 0xff;
  b[o + 7] = seq & 0xff;
  return o + 8;
}

function vxlan(b, o, vni) {
  b[o] = 0x08; // I flag: VNI valid
  b[o + 1] = 0;
  b[o + 2] = 0;
  b[o + 3] = 0;
  b[o + 4] = (vni >>> 16) & 0xff;
  b[o + 5] = (vni >>> 8) & 0xff;
  b[o + 6] = vni & 0xff;
  b[o + 7] = 0;
  return o + 8;
}

/** Geneve (RFC 8926) carrying Ethernet, with `optWords` 4-byte words of options (0 or 2 here). */
function geneve(b, o, vni, optWords) {
  b[o] = optWords & 0x3f; // version 0
  b[o + 1] = 0;
  b[o + 2] = 0x65; // protocol type 0x6558: Transparent Ethernet Bridging
  b[o + 3] = 0x58;
  b[o + 4] = (vni >>> 16) & 0xff;
  b[o + 5] = (vni >>> 8) & 0xff;
  b[o + 6] = vni & 0xff;
  b[o + 7] = 0;
  o += 8;
  if (optWords === 2) {
    // One OVN-style option: class 0x0102, type 0x80, length 1 word, 4 bytes of data.
    b[o] = 0x01;
    b[o + 1] = 0x02;
    b[o + 2] = 0x80;
    b[o + 3] = 0x01;
    b[o + 4] = 0;
    b[o + 5] = 0x01;
    b[o + 6] = 0;
    b[o + 7] = 0x02;
    o += 8;
  }
  return o;
}

function payload(b, o, len, r, dry) {
  if (len > 0 && !dry) {
    const start = r.int(PATTERN.length - MAX_PAYLOAD);
    PATTERN.copy(b, o, start, start + len);
  } else if (len > 0) {
    r.next(); // same PRNG draws either way
  }
  return o + len;
}

// ---------------------------------------------------------------------------
// Inner packets (pod to pod, or node to outside) and the encapsulations around them.

/** Length of the inner IPv4 packet for a flow and payload. */
function innerLength(proto, pay) {
  return 20 + (proto === 6 ? 20 : 8) + pay;
}

/** Inner IPv4 (IPv6 with `v6`) + transport + payload, for a flow in direction `rev`. */
function innerIp(b, o, r, f, rev, pay, dry, v6 = false) {
  const src = rev ? f.dstPod : f.srcPod;
  const dst = rev ? f.srcPod : f.dstPod;
  if (v6) o = ipv6(b, o, innerLength(f.proto, pay) - 20, f.proto === 1 ? 58 : f.proto, POD6_PREFIX, src, dst, 63);
  else o = ipv4(b, o, innerLength(f.proto, pay), f.proto, src, dst, 63);
  if (f.proto === 6) {
    const sport = rev ? f.dport : f.sport;
    const dport = rev ? f.sport : f.dport;
    const d = rev ? 1 : 0;
    const flags = r.next() < 0.002 ? TCP_SYN : pay > 0 ? TCP_PSH_ACK : TCP_ACK;
    o = tcp(b, o, sport, dport, f.seq[d], f.seq[1 - d], flags);
    f.seq[d] = (f.seq[d] + pay) >>> 0;
  } else if (f.proto === 17) {
    o = udp(b, o, rev ? f.dport : f.sport, rev ? f.sport : f.dport, pay);
  } else {
    f.icmpId = (f.icmpId + 1) & 0xffff;
    o = icmpEcho(b, o, v6 ? (rev ? 129 : 128) : rev ? 0 : 8, f.icmpId, f.seq[0]++ & 0xffff);
  }
  return payload(b, o, pay, r, dry);
}

function nodes(f, rev) {
  return rev ? [f.dstNode, f.srcNode] : [f.srcNode, f.dstNode];
}

/** Outer Ethernet (optionally 802.1Q-tagged) ready for IPv4. */
function outerEth(b, o, s, d, tagged) {
  if (tagged) {
    o = eth(b, o, NODE_MACS[d], NODE_MACS[s], 0x8100);
    return vlan(b, o, VLAN_ID, 0x0800);
  }
  return eth(b, o, NODE_MACS[d], NODE_MACS[s], 0x0800);
}

function vxlanFrame(b, o, r, f, pay, dry, tagged) {
  const rev = r.next() < 0.5;
  const [s, d] = nodes(f, rev);
  o = outerEth(b, o, s, d, tagged);
  const inner = 14 + innerLength(f.proto, pay);
  o = ipv4(b, o, 20 + 8 + 8 + inner, 17, NODE_IPS[s], NODE_IPS[d], 64);
  o = udp(b, o, f.vxSport[rev ? 1 : 0], VXLAN_PORT, 8 + inner);
  o = vxlan(b, o, VXLAN_VNI);
  o = eth(b, o, VTEP_MACS[d], VTEP_MACS[s], 0x0800);
  return innerIp(b, o, r, f, rev, pay, dry);
}

/** VXLAN over an IPv6 underlay carrying IPv6 pods (Calico's vxlan-v6.calico): every header IPv6. */
function vxlan6Frame(b, o, r, f, pay, dry) {
  const rev = r.next() < 0.5;
  const [s, d] = nodes(f, rev);
  o = eth(b, o, NODE_MACS[d], NODE_MACS[s], 0x86dd);
  const inner = 14 + 40 + innerLength(f.proto, pay) - 20;
  o = ipv6(b, o, 8 + 8 + inner, 17, NODE6_PREFIX, NODE_IPS[s], NODE_IPS[d], 64);
  o = udp(b, o, f.vxSport[rev ? 1 : 0], VXLAN_PORT, 8 + inner);
  o = vxlan(b, o, VXLAN_VNI);
  o = eth(b, o, VTEP_MACS[d], VTEP_MACS[s], 0x86dd);
  return innerIp(b, o, r, f, rev, pay, dry, true);
}

function geneveFrame(b, o, r, f, pay, dry, tagged) {
  const rev = r.next() < 0.5;
  const [s, d] = nodes(f, rev);
  const optWords = r.next() < 0.5 ? 2 : 0;
  o = outerEth(b, o, s, d, tagged);
  const inner = 14 + innerLength(f.proto, pay);
  const gen = 8 + optWords * 4;
  o = ipv4(b, o, 20 + 8 + gen + inner, 17, NODE_IPS[s], NODE_IPS[d], 64);
  o = udp(b, o, f.vxSport[rev ? 1 : 0], GENEVE_PORT, gen + inner);
  o = geneve(b, o, GENEVE_VNI, optWords);
  o = eth(b, o, VTEP_MACS[d], VTEP_MACS[s], 0x0800);
  return innerIp(b, o, r, f, rev, pay, dry);
}

function ipipFrame(b, o, r, f, pay, dry, tagged) {
  const rev = r.next() < 0.5;
  const [s, d] = nodes(f, rev);
  o = outerEth(b, o, s, d, tagged);
  o = ipv4(b, o, 20 + innerLength(f.proto, pay), 4, NODE_IPS[s], NODE_IPS[d], 64);
  return innerIp(b, o, r, f, rev, pay, dry);
}

/** No encapsulation between pods on two nodes of one subnet (Calico CrossSubnet): routed as is. */
function directPodFrame(b, o, r, f, pay, dry, tagged) {
  const rev = r.next() < 0.5;
  const [s, d] = nodes(f, rev);
  o = outerEth(b, o, s, d, tagged);
  return innerIp(b, o, r, f, rev, pay, dry);
}

/** No encapsulation: a pod or node talking to an address outside the cluster. */
function plainFrame(b, o, r, f, pay, dry, tagged) {
  const rev = r.next() < 0.5;
  const ext = EXTERNAL_IPS[r.int(EXTERNAL_IPS.length)];
  const local = r.next() < 0.5 ? NODE_IPS[f.srcNode] : f.srcPod;
  const g = { srcPod: local, dstPod: ext, proto: f.proto, sport: f.sport, dport: f.dport, seq: f.seq, icmpId: f.icmpId };
  if (tagged) {
    o = eth(b, o, rev ? NODE_MACS[f.srcNode] : GATEWAY_MAC, rev ? GATEWAY_MAC : NODE_MACS[f.srcNode], 0x8100);
    o = vlan(b, o, VLAN_ID, 0x0800);
  } else {
    o = eth(b, o, rev ? NODE_MACS[f.srcNode] : GATEWAY_MAC, rev ? GATEWAY_MAC : NODE_MACS[f.srcNode], 0x0800);
  }
  return innerIp(b, o, r, g, rev, pay, dry);
}

// ---------------------------------------------------------------------------
// The captures.

/** The node whose underlay NIC is an 802.1Q trunk (VLAN 100) in the mixed capture. */
const VLAN_NODE = 5;

/**
 * The mixed capture's cluster runs one mode per node pair, as a cluster in the
 * middle of a migration would: nodes in one /24 route pod traffic unencapsulated
 * (Calico CrossSubnet); across subnets a pair uses VXLAN, IPIP or Geneve.
 */
function pairMode(a, b) {
  const sa = NODE_IPS[a] >>> 8;
  const sb = NODE_IPS[b] >>> 8;
  if (sa === sb) return 'direct';
  return ['vxlan', 'ipip', 'geneve'][(Math.min(a, b) + Math.max(a, b)) % 3];
}

/** A scan's setup and packets: one pod's TCP flow, packet i to 10.0.0.1 + i, in frames of `frame` (no payload). */
function scan(frame) {
  return {
    setup(r) {
      return makeFlows(r, 1, [[6, 1]]);
    },
    packet(b, o, r, flows, i, dry) {
      const f = flows[0];
      f.dstPod = (0x0a000001 + i) >>> 0;
      return frame(b, o, r, f, 0, dry, false);
    },
  };
}

/** Each capture: packet count, seed, and a function writing packet `i` at `o` (returns the end offset). */
export const CAPTURES = {
  'vxlan-1m.pcap': {
    packets: 1_000_000,
    seed: 0x76786c61,
    describe: 'Ethernet / IPv4 (node) / UDP 4789 / VXLAN VNI 4096 / Ethernet / IPv4 (pod) / TCP 95% or ICMP 5%, payload 0-1400',
    setup(r) {
      return makeFlows(r, 4096, [
        [6, 0.95],
        [1, 0.05],
      ]);
    },
    packet(b, o, r, flows, i, dry) {
      return vxlanFrame(b, o, r, pickFlow(r, flows), payloadSize(r), dry, false);
    },
  },
  'vxlan6-250k.pcap': {
    packets: 250_000,
    seed: 0x76786c36,
    describe: 'IPv6 throughout: Ethernet / IPv6 (node) / UDP 4789 / VXLAN VNI 4096 / Ethernet / IPv6 (pod) / TCP 95% or ICMPv6 echo 5%, payload 0-1400',
    setup(r) {
      return makeFlows(r, 4096, [
        [6, 0.95],
        [1, 0.05],
      ]);
    },
    packet(b, o, r, flows, i, dry) {
      return vxlan6Frame(b, o, r, pickFlow(r, flows), payloadSize(r), dry);
    },
  },
  'ipip-1m.pcap': {
    packets: 1_000_000,
    seed: 0x69706970,
    describe: 'Ethernet / IPv4 (node) proto 4 / IPv4 (pod) / TCP 85%, UDP 10%, ICMP 5%, payload 0-1400',
    setup(r) {
      return makeFlows(r, 4096, [
        [6, 0.85],
        [17, 0.1],
        [1, 0.05],
      ]);
    },
    packet(b, o, r, flows, i, dry) {
      return ipipFrame(b, o, r, pickFlow(r, flows), payloadSize(r), dry, false);
    },
  },
  'ipip-small-5m.pcap': {
    packets: 5_000_000,
    seed: 0x736d616c,
    describe: '74-byte frames: Ethernet 14 / IPv4 (node) proto 4 20 / IPv4 (pod) 20 / TCP 20, no payload',
    setup(r) {
      return makeFlows(r, 4096, [[6, 1]]);
    },
    packet(b, o, r, flows, i, dry) {
      return ipipFrame(b, o, r, pickFlow(r, flows), 0, dry, false);
    },
  },
  'ipip-scan-2m.pcap': {
    packets: 2_000_000,
    seed: 0x7363616e,
    describe: 'a scan: one pod to 2,000,000 distinct addresses of 10.0.0.0/8 over IPIP, 74-byte frames (bounded memory: more pod pairs than podpath keeps)',
    ...scan(ipipFrame),
  },
  'mixed-100k.pcap': {
    packets: 100_000,
    seed: 0x6d697864,
    describe:
      'one mode per node pair: no encapsulation within a subnet, VXLAN, IPIP or Geneve across; ' +
      'node 172.16.2.31 behind 802.1Q VLAN 100; 15% pod/node to outside addresses',
    setup(r) {
      return makeFlows(r, 1024, [
        [6, 0.85],
        [17, 0.1],
        [1, 0.05],
      ]);
    },
    packet(b, o, r, flows, i, dry) {
      const f = pickFlow(r, flows);
      const pay = payloadSize(r);
      const tagged = f.srcNode === VLAN_NODE || f.dstNode === VLAN_NODE;
      if (r.next() < 0.15) return plainFrame(b, o, r, f, pay, dry, f.srcNode === VLAN_NODE);
      switch (pairMode(f.srcNode, f.dstNode)) {
        case 'direct':
          return directPodFrame(b, o, r, f, pay, dry, tagged);
        case 'vxlan':
          return vxlanFrame(b, o, r, f, pay, dry, tagged);
        case 'ipip':
          return ipipFrame(b, o, r, f, pay, dry, tagged);
        default:
          return geneveFrame(b, o, r, f, pay, dry, tagged);
      }
    },
  },
};

// Memory flatness (issue #5: a 4x larger capture may raise peak RSS by at most 20%): the first
// quarter of vxlan-1m.pcap, the same seed and so the same packets, compared with the whole.
CAPTURES['vxlan-250k.pcap'] = {
  ...CAPTURES['vxlan-1m.pcap'],
  packets: 250_000,
  describe: 'the first 250,000 packets of vxlan-1m.pcap (same seed): its peak RSS against vxlan-1m.pcap, 4x the size',
};

// A busy node: the frames of ipip-small-5m over 8 times the connections, more flows than
// podpath's flow cache starts with (it has to grow rather than drop them).
CAPTURES['ipip-busy-2m.pcap'] = {
  ...CAPTURES['ipip-small-5m.pcap'],
  packets: 2_000_000,
  seed: 0x62757379,
  describe: 'a busy node: 74-byte IPIP frames as in ipip-small-5m, over 32,768 connections (65,536 flows, more than the flow cache starts with)',
  setup(r) {
    return makeFlows(r, 32768, [[6, 1]]);
  },
};

// The worst case for memory: an unencapsulated scan. Every packet is a new conversation and a
// new TCP connection, so the conversation table (200,000) and the TCP table (100,000) fill, and
// each conversation keeps a statistics object; peak RSS is bounded by those limits, not by the
// file.
CAPTURES['direct-scan-1m.pcap'] = {
  packets: 1_000_000,
  seed: 0x64736361,
  describe:
    'an unencapsulated scan: one pod to 1,000,000 distinct addresses of 10.0.0.0/8, between two node MACs (Calico no-encap), 54-byte frames (bounded memory: every conversation and TCP table full)',
  ...scan(directPodFrame),
};

// Headers only, as large captures are often taken (tcpdump -s 128): vxlan-1m.pcap's packets, each
// cut to its first 128 bytes. Every pod header is whole (the TCP header ends at byte 104, 116
// with options); the payload is not there.
CAPTURES['vxlan-1m-s128.pcap'] = {
  ...CAPTURES['vxlan-1m.pcap'],
  snapLen: 128,
  describe: 'vxlan-1m.pcap as tcpdump -s 128 keeps it: the same packets, each cut to its first 128 bytes (every header whole, the payload gone)',
};

export const CAPTURE_NAMES = Object.keys(CAPTURES);

const GLOBAL_HEADER = 24;
const RECORD_HEADER = 16;
const WRITE_BUFFER = 8 << 20;
const MAX_FRAME = 2048;
const START_SEC = 1_700_000_000;

/**
 * Run a capture's generator. With `fd` null this is a dry run: packets are
 * built into a scratch area and only the size is counted, consuming the PRNG
 * exactly as the real run does.
 */
function run(name, fd) {
  const spec = CAPTURES[name];
  const r = mulberry32(spec.seed);
  ipIdCounter = spec.seed & 0xffff;
  const flows = spec.setup(r);
  const dry = fd === null;
  const b = Buffer.alloc(dry ? MAX_FRAME + RECORD_HEADER : WRITE_BUFFER);
  let o = 0;
  let total = 0;
  // Global header: little-endian, microsecond timestamps, version 2.4, snaplen 65535, Ethernet.
  b.writeUInt32LE(0xa1b2c3d4, 0);
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8);
  b.writeUInt32LE(0, 12);
  b.writeUInt32LE(spec.snapLen ?? 65535, 16);
  b.writeUInt32LE(1, 20);
  o = GLOBAL_HEADER;
  let sec = START_SEC;
  let usec = 0;
  for (let i = 0; i < spec.packets; i++) {
    if (dry) {
      total += o;
      o = 0;
    } else if (o + RECORD_HEADER + MAX_FRAME > b.length) {
      writeAll(fd, b, o);
      total += o;
      o = 0;
    }
    usec += 1 + r.int(200);
    if (usec >= 1_000_000) {
      sec++;
      usec -= 1_000_000;
    }
    const start = o + RECORD_HEADER;
    const end = spec.packet(b, start, r, flows, i, dry);
    const len = end - start;
    if (len > MAX_FRAME) throw new Error(`${name}: frame ${i + 1} is ${len} bytes, over ${MAX_FRAME}`);
    // A snap length keeps the frame's first bytes; the record says how long it was on the wire.
    const kept = spec.snapLen === undefined ? len : Math.min(len, spec.snapLen);
    b.writeUInt32LE(sec, o);
    b.writeUInt32LE(usec, o + 4);
    b.writeUInt32LE(kept, o + 8);
    b.writeUInt32LE(len, o + 12);
    o = start + kept;
  }
  if (!dry && o > 0) writeAll(fd, b, o);
  total += o;
  return total;
}

function writeAll(fd, b, n) {
  let done = 0;
  while (done < n) done += writeSync(fd, b, done, n - done);
}

/** Size in bytes the capture will have (a dry run of its generator). */
export function expectedSize(name) {
  return run(name, null);
}

export function capturePath(name) {
  return join(DATA_DIR, name);
}

const GENERATOR = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url))).digest('hex').slice(0, 16);

function sidecar(path) {
  try {
    return JSON.parse(readFileSync(`${path}.json`, 'utf8'));
  } catch {
    return null;
  }
}

const fmtMB = (n) => `${(n / 1e6).toFixed(1)} MB`;

/**
 * Make sure the named captures exist in bench/data/, generating the missing
 * ones. Returns [{name, path, bytes, packets}].
 */
export function ensureCaptures(names = CAPTURE_NAMES, log = (s) => console.log(s)) {
  mkdirSync(DATA_DIR, { recursive: true });
  const out = [];
  for (const name of names) {
    const spec = CAPTURES[name];
    if (!spec) throw new Error(`unknown capture ${name} (known: ${CAPTURE_NAMES.join(', ')})`);
    const path = capturePath(name);
    const size = expectedSize(name);
    const sizeOk = existsSync(path) && statSync(path).size === size;
    if (sizeOk && sidecar(path)?.generator === GENERATOR) {
      log(`reuse     ${name}: ${spec.packets.toLocaleString('en-US')} packets, ${fmtMB(size)}`);
    } else {
      if (sizeOk) log(`stale     ${name}: right size, but not written by this version of generate.mjs`);
      const free = freeBytes(DATA_DIR);
      if (free !== null && free < size + (64 << 20)) {
        throw new Error(`not enough disk space for ${name}: needs ${fmtMB(size)}, ${fmtMB(free)} free in ${DATA_DIR}`);
      }
      log(`generate  ${name}: ${spec.packets.toLocaleString('en-US')} packets, ${fmtMB(size)} — ${spec.describe}`);
      const t0 = process.hrtime.bigint();
      const tmp = `${path}.tmp`;
      const fd = openSync(tmp, 'w');
      let written;
      try {
        written = run(name, fd);
      } finally {
        closeSync(fd);
      }
      if (written !== size) throw new Error(`${name}: wrote ${written} bytes, dry run said ${size} (generator not deterministic?)`);
      renameSync(tmp, path);
      writeFileSync(`${path}.json`, JSON.stringify({ name, packets: spec.packets, bytes: size, generator: GENERATOR, seed: spec.seed }) + '\n');
      const s = Number(process.hrtime.bigint() - t0) / 1e9;
      log(`          done in ${s.toFixed(1)} s`);
    }
    out.push({ name, path, bytes: size, packets: spec.packets });
  }
  return out;
}

function freeBytes(dir) {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** `--only a,b`: captures whose name contains any of the comma-separated words. */
export function selectCaptures(only) {
  if (!only) return CAPTURE_NAMES;
  const words = only.split(',').filter(Boolean);
  return CAPTURE_NAMES.filter((n) => words.some((w) => n.includes(w)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  let only = null;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--only') only = args[++i] ?? '';
    else if (args[i].startsWith('--only=')) only = args[i].slice(7);
    else if (args[i] === '--help' || args[i] === '-h') {
      console.log(`usage: node bench/generate.mjs [--only NAME[,NAME]]\ncaptures: ${CAPTURE_NAMES.join(', ')}`);
      process.exit(0);
    } else {
      console.error(`unknown argument ${args[i]}`);
      process.exit(2);
    }
  }
  const names = selectCaptures(only);
  if (names.length === 0) {
    console.error(`--only ${only} matches no capture (known: ${CAPTURE_NAMES.join(', ')})`);
    process.exit(2);
  }
  ensureCaptures(names);
}
