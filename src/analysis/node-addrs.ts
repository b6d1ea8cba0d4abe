/**
 * Node address files: what `ip` printed on each node, so the analysis can
 * tell whose address, whose MAC and which NIC a packet belongs to.
 *
 * Users make them on each node with one of
 *
 *   ip -j addr show > node-a.json                       (JSON; `-p` or not)
 *   ip -o addr show > node-a.txt                        (one line per address)
 *   { ip -o addr show; ip -o link show; } > node-a.txt  (plus MAC and MTU)
 *   ip addr show > node-a.txt                           (what people paste; `-d` too)
 *
 * and `{ ip -j addr show; ip -j link show; }` (two JSON arrays in one file)
 * works as well. The format is told by the content, not the file name.
 *
 * These files are untrusted input: anything that is not what `ip` prints is a
 * NodeAddrsError that names the file and the line or JSON entry, never a raw
 * exception. Every address goes through ipaddr.js.
 */

import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import ipaddr from 'ipaddr.js';

export type InterfaceKind = 'underlay' | 'tunnel' | 'pod-veth' | 'loopback' | 'other';

export interface NodeAddress {
  /** Canonical form: dotted quad, or RFC 5952 for IPv6 (what `ip` prints). */
  ip: string;
  prefixLen: number;
  family: 4 | 6;
  /**
   * Network in CIDR form, e.g. "172.16.10.0/24". For a point-to-point
   * address (`inet 10.9.9.1 peer 10.9.9.2/32`) the prefix belongs to the
   * peer, as in the kernel's route, so this is the peer's network.
   */
  subnet: string;
}

export interface NodeInterface {
  ifindex: number | null;
  /** Without the `@peer` suffix text output adds (`eth0.100@eth0` → `eth0.100`). */
  name: string;
  /** Lowercase `aa:bb:cc:dd:ee:ff`; null when the device has no Ethernet address (tunl0, TUN) or the file did not say. */
  mac: string | null;
  mtu: number | null;
  /** As `ip` names it: ether, loopback, none, ipip, gre, sit, tunnel6, infiniband... */
  linkType: string | null;
  kind: InterfaceKind;
  /**
   * A veth (a kind node's eth0, a pod's interface): `ip -d` names the kind; without it, a device whose
   * peer is in another network namespace (`link_netnsid` in `ip -j addr`, `link-netnsid` or
   * `link-netns` in its text), which is a veth unless `ip -d` names another kind (a macvlan made in a
   * container). Packets arrive on a veth as the sender's kernel left them: with checksums its
   * offload has not filled in yet.
   */
  veth: boolean;
  addresses: NodeAddress[];
}

export interface NodeAddrs {
  name: string;
  file: string;
  interfaces: NodeInterface[];
}

/** A node address file that cannot be used. The message is one line for a human. */
export class NodeAddrsError extends Error {
  override readonly name = 'NodeAddrsError';
  /** What is wrong, without the file name. */
  readonly detail: string;
  constructor(
    readonly file: string,
    detail: string,
    readonly line?: number,
  ) {
    super(`${file}: ${detail}${line === undefined ? '' : ` (line ${line})`}`);
    this.detail = detail;
  }
}

/** Larger than any real `ip addr` output (a node with 1000 pods prints ~1 MiB of JSON). */
export const MAX_NODE_ADDRS_BYTES = 16 * 1024 * 1024;

const NODE_NAME = /^[A-Za-z0-9._-]+$/;
/** Suffixes dropped from a file name to name its node: node-a.addrs.json → node-a. */
const NAME_SUFFIXES = /\.(json|txt|text|addrs|addr|ip|out)$/i;

/** "NAME=FILE" or "FILE". */
export function parseNodeAddrsArg(arg: string): { name: string; file: string } {
  if (arg === '') throw new NodeAddrsError('(empty argument)', 'no node address file given');
  const eq = arg.indexOf('=');
  if (eq > 0) {
    const name = arg.slice(0, eq);
    // A path may contain '=' (./runs/a=b/node.json): only a plain name before it means NAME=FILE.
    if (NODE_NAME.test(name)) {
      const file = arg.slice(eq + 1);
      if (file === '') throw new NodeAddrsError(arg, `no file after "${name}="`);
      return { name, file };
    }
  }
  return { name: nodeNameFromFile(arg), file: arg };
}

function nodeNameFromFile(file: string): string {
  let name = basename(file);
  for (;;) {
    const stripped = name.replace(NAME_SUFFIXES, '');
    if (stripped === name || stripped === '') break;
    name = stripped;
  }
  return name === '' ? file : name;
}

/** Reads and parses "NAME=FILE" or "FILE". Every failure is a NodeAddrsError naming the file. */
export async function loadNodeAddrs(arg: string): Promise<NodeAddrs> {
  const { name, file } = parseNodeAddrsArg(arg);
  const bytes = await readCapped(file);
  return parseNodeAddrs(decodeText(bytes, file), file, name);
}

async function readCapped(file: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new NodeAddrsError(file, ioDetail(err, 'cannot open'));
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new NodeAddrsError(file, 'is a directory, not a node address file');
    if (st.isFile() && st.size > MAX_NODE_ADDRS_BYTES) throw tooLarge(file);
    // Read in chunks, not by stat size, so FIFOs (<(ssh node ip -j addr)) work and a growing file stays capped.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(1 << 20, MAX_NODE_ADDRS_BYTES + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_NODE_ADDRS_BYTES) throw tooLarge(file);
    }
    return Buffer.concat(chunks, total);
  } catch (err) {
    if (err instanceof NodeAddrsError) throw err;
    throw new NodeAddrsError(file, ioDetail(err, 'cannot read'));
  } finally {
    await handle.close().catch(() => undefined);
  }
}

function tooLarge(file: string): NodeAddrsError {
  return new NodeAddrsError(file, `is larger than ${MAX_NODE_ADDRS_BYTES / 1024 / 1024} MiB; \`ip addr show\` output is far smaller, is this the right file?`);
}

function ioDetail(err: unknown, what: string): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a node address file';
    default:
      return `${what}: ${typeof code === 'string' ? code : err instanceof Error ? err.message : String(err)}`;
  }
}

function decodeText(bytes: Buffer, file: string): string {
  // PowerShell's `>` writes UTF-16 with a BOM; `ip` itself writes UTF-8.
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    try {
      return new TextDecoder('utf-16be').decode(bytes.subarray(2));
    } catch {
      throw new NodeAddrsError(file, 'is UTF-16 big-endian text, which this Node.js cannot decode; save it as UTF-8');
    }
  }
  if (bytes.includes(0)) throw notText(file);
  return new TextDecoder('utf-8').decode(bytes);
}

function notText(file: string): NodeAddrsError {
  return new NodeAddrsError(file, 'is binary data, not the output of `ip addr show` (a capture file given as a node address file?)');
}

const EXPECTED = 'expected the output of `ip -j addr show`, `ip -o addr show` or `ip addr show`';

/** Parses `ip` output; JSON, one-line (-o) or plain text is told by the content. */
export function parseNodeAddrs(text: string, file: string, name: string): NodeAddrs {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('\u0000')) throw notText(file);
  const start = text.search(/\S/);
  if (start < 0) throw new NodeAddrsError(file, 'is empty; ' + EXPECTED);
  const builder = new Builder(file);
  const first = text[start];
  if (first === '[' || first === '{') parseJson(text, builder);
  else parseText(text, builder);
  const interfaces = builder.finish();
  if (interfaces.length === 0) throw new NodeAddrsError(file, 'lists no interfaces; ' + EXPECTED);
  return { name, file, interfaces };
}

// ---------------------------------------------------------------------------
// Shared: collecting interfaces, validating addresses

interface Draft {
  ifindex: number | null;
  name: string;
  mac: string | null;
  mtu: number | null;
  linkType: string | null;
  /** `linkinfo.info_kind` (ip -d -j) or the kind line of `ip -d` text: vxlan, ipip, dummy... */
  infoKind: string | null;
  /** `link_netnsid` / `link-netnsid` / `link-netns` seen: the peer is in another namespace (NodeInterface.veth). */
  netnsPeer: boolean;
  addresses: NodeAddress[];
  addressKeys: Set<string>;
}

type Fail = (detail: string) => never;

const MAX_IFINDEX = 0x7fffffff;

class Builder {
  private readonly list: Draft[] = [];
  private readonly byIndex = new Map<number, Draft>();
  private readonly byName = new Map<string, Draft>();

  constructor(readonly file: string) {}

  /**
   * The interface with this index and name, created on first sight. A file
   * may list an interface twice (addresses, then `ip link` lines); a name that
   * changes index, or an index that changes name, means two nodes' outputs
   * were mixed, which would make every look-up wrong.
   */
  interface(ifindex: number | null, name: string, fail: Fail): Draft {
    const sameIndex = ifindex === null ? undefined : this.byIndex.get(ifindex);
    if (sameIndex) {
      if (sameIndex.name !== name) fail(`ifindex ${ifindex} is ${quote(sameIndex.name)} earlier in the file but ${quote(name)} here (outputs of two nodes in one file?)`);
      return sameIndex;
    }
    const sameName = this.byName.get(name);
    if (sameName) {
      if (ifindex === null) return sameName;
      if (sameName.ifindex !== null) fail(`interface ${quote(name)} has ifindex ${sameName.ifindex} earlier in the file but ${ifindex} here (outputs of two nodes in one file?)`);
      sameName.ifindex = ifindex;
      this.byIndex.set(ifindex, sameName);
      return sameName;
    }
    const draft: Draft = { ifindex, name, mac: null, mtu: null, linkType: null, infoKind: null, netnsPeer: false, addresses: [], addressKeys: new Set() };
    this.list.push(draft);
    this.byName.set(name, draft);
    if (ifindex !== null) this.byIndex.set(ifindex, draft);
    return draft;
  }

  finish(): NodeInterface[] {
    // `ip` lists by ifindex; `ip -o addr` + `ip -o link` would otherwise put address-less interfaces last.
    const ordered = this.list.every((d) => d.ifindex !== null) ? [...this.list].sort((a, b) => (a.ifindex ?? 0) - (b.ifindex ?? 0)) : this.list;
    return ordered.map((d) => ({
      ifindex: d.ifindex,
      name: d.name,
      mac: d.mac,
      mtu: d.mtu,
      linkType: d.linkType,
      kind: classifyInterface(d.name, d.linkType, d.infoKind),
      veth: d.infoKind === 'veth' || (d.infoKind === null && d.netnsPeer),
      addresses: d.addresses,
    }));
  }
}

function addAddress(draft: Draft, address: NodeAddress): void {
  const key = `${address.ip}/${address.prefixLen}`;
  if (draft.addressKeys.has(key)) return;
  draft.addressKeys.add(key);
  draft.addresses.push(address);
}

/** Linux's own rule (dev_valid_name): 1-15 bytes, no '/', ':' or whitespace. */
function checkIfname(name: string, fail: Fail): void {
  if (name === '') fail('empty interface name');
  if (Buffer.byteLength(name) > 15 || /[\s/:\u0000-\u001f\u007f]/.test(name) || name === '.' || name === '..') {
    fail(`${quote(name)} is not a Linux interface name`);
  }
}

function checkIfindex(value: unknown, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_IFINDEX) {
    fail(`ifindex ${describe(value)} is not an interface index (an integer from 1 to ${MAX_IFINDEX})`);
  }
  return value;
}

function checkMtu(value: unknown, fail: Fail): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_IFINDEX) fail(`mtu ${describe(value)} is not an MTU`);
  return value;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** The link-layer address if it is a 6-byte MAC; tunl0's "0.0.0.0" and tunnel6's "::" are not. */
function macOrNull(address: string): string | null {
  return MAC.test(address) ? address.toLowerCase() : null;
}

/**
 * One address, validated by ipaddr.js. `local` is the node's address; for a
 * point-to-point address `peer` carries the prefix.
 */
function makeAddress(family: 4 | 6, local: string, prefixLen: number, peer: string | null, fail: Fail): NodeAddress {
  const max = family === 4 ? 32 : 128;
  if (!Number.isInteger(prefixLen) || prefixLen < 0 || prefixLen > max) {
    fail(`prefix length ${describe(prefixLen)} of ${quote(local)} is out of range for IPv${family} (0-${max})`);
  }
  const ip = canonicalIp(local, family);
  if (ip === null) fail(`${quote(local)} is not a valid IPv${family} address`);
  let network = ip;
  if (peer !== null) {
    const peerIp = canonicalIp(peer, family);
    if (peerIp === null) fail(`peer ${quote(peer)} of ${quote(local)} is not a valid IPv${family} address`);
    network = peerIp;
  }
  const subnet =
    family === 4
      ? ipaddr.IPv4.networkAddressFromCIDR(`${network}/${prefixLen}`).toString()
      : ipaddr.IPv6.networkAddressFromCIDR(`${network}/${prefixLen}`).toRFC5952String();
  return { ip, prefixLen, family, subnet: `${subnet}/${prefixLen}` };
}

/**
 * Canonical text of an address of the given family, or null. IPv4 must be
 * four decimal parts (ipaddr.parse would also take "10.1" or "0x0a.0.0.1",
 * which `ip` never prints); IPv6 must carry no zone index.
 */
function canonicalIp(text: string, family: 4 | 6): string | null {
  if (family === 4) return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text).toString() : null;
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
  return ipaddr.IPv6.parse(text).toRFC5952String();
}

// ---------------------------------------------------------------------------
// JSON: `ip -j addr show`, `ip -j link show`, or both concatenated

function parseJson(text: string, builder: Builder): void {
  const values = splitJsonValues(text);
  values.forEach(({ source, offset }, arrayIndex) => {
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      const pos = /position (\d+)/.exec(message);
      const line = pos?.[1] === undefined ? undefined : lineAt(text, offset + Number(pos[1]));
      // The position is within this value, not the file; the line says where instead.
      const reason = message.replace(/\s*in JSON at position \d+.*$/s, '').replace(/\s*\(line \d+ column \d+\)/, '');
      throw new NodeAddrsError(builder.file, `is not valid JSON (${clip(reason.replace(/[\u0000-\u001f]/g, ' '), 120)}); ${EXPECTED}`, line);
    }
    const inArray = values.length > 1 ? `JSON array ${arrayIndex + 1}, ` : '';
    if (!Array.isArray(value)) {
      throw new NodeAddrsError(builder.file, `${inArray}top level is ${describe(value)}, expected an array of interfaces (the output of \`ip -j addr show\`)`);
    }
    value.forEach((entry: unknown, i) => parseJsonEntry(entry, `${inArray}entry ${i}`, builder));
  });
}

function parseJsonEntry(entry: unknown, where: string, builder: Builder): void {
  let label = where;
  const fail: Fail = (detail) => {
    throw new NodeAddrsError(builder.file, `${label}: ${detail}`);
  };
  if (!isRecord(entry)) fail(`is ${describe(entry)}, expected an object with "ifname"`);
  // Older iproute2 prints {} for each interface that -4/-6 filtered out.
  if (Object.keys(entry).length === 0) return;
  const ifname = entry['ifname'];
  if (typeof ifname !== 'string') fail(`has no "ifname" (a string); is this \`ip -j addr show\` output?`);
  checkIfname(ifname, fail);
  label = `${where} (${quote(ifname)})`;
  const ifindex = present(entry['ifindex']) ? checkIfindex(entry['ifindex'], fail) : null;
  const draft = builder.interface(ifindex, ifname, fail);

  if (present(entry['mtu'])) draft.mtu ??= checkMtu(entry['mtu'], fail);
  const linkType = entry['link_type'];
  if (present(linkType)) {
    if (typeof linkType !== 'string') fail(`"link_type" is ${describe(linkType)}, expected a string`);
    draft.linkType ??= linkType;
  }
  const hwaddr = entry['address'];
  if (present(hwaddr)) {
    if (typeof hwaddr !== 'string') fail(`"address" is ${describe(hwaddr)}, expected a string`);
    draft.mac ??= macOrNull(hwaddr);
  }
  const linkinfo = entry['linkinfo'];
  if (isRecord(linkinfo) && typeof linkinfo['info_kind'] === 'string') draft.infoKind ??= linkinfo['info_kind'];
  if (present(entry['link_netnsid'])) draft.netnsPeer = true;

  const addrInfo = entry['addr_info'];
  if (!present(addrInfo)) return; // `ip -j link show`
  if (!Array.isArray(addrInfo)) fail(`"addr_info" is ${describe(addrInfo)}, expected an array`);
  addrInfo.forEach((a: unknown, j) => {
    const at = `addr_info[${j}]`;
    if (!isRecord(a)) fail(`${at} is ${describe(a)}, expected an object`);
    if (Object.keys(a).length === 0) return; // the same filter quirk as above
    const family = a['family'];
    if (family !== 'inet' && family !== 'inet6') fail(`${at}: "family" is ${describe(family)}, expected "inet" or "inet6"`);
    const local = a['local'];
    if (typeof local !== 'string') fail(`${at}: "local" is ${describe(local)}, expected an address string`);
    const prefixLen = a['prefixlen'];
    if (typeof prefixLen !== 'number') fail(`${at}: "prefixlen" is ${describe(prefixLen)}, expected a number`);
    // Inside addr_info, "address" is the peer of a point-to-point address.
    const peer = a['address'];
    if (present(peer) && typeof peer !== 'string') fail(`${at}: "address" is ${describe(peer)}, expected an address string`);
    const address = makeAddress(family === 'inet' ? 4 : 6, local, prefixLen, typeof peer === 'string' ? peer : null, (d) => fail(`${at}: ${d}`));
    addAddress(draft, address);
  });
}

/**
 * The top-level JSON values in text, so `{ ip -j addr; ip -j link; }` (two
 * arrays) reads as one file. Only splits between balanced arrays/objects;
 * anything else is left to JSON.parse to report.
 */
function splitJsonValues(text: string): { source: string; offset: number }[] {
  const values: { source: string; offset: number }[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i] ?? '')) i++;
    if (i >= text.length) return values;
    const start = i;
    const open = text[i];
    if (open !== '[' && open !== '{') {
      values.push({ source: text.slice(start), offset: start });
      return values;
    }
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 0x5c) i++; // backslash: skip the escaped char
        else if (c === 0x22) inString = false;
      } else if (c === 0x22) inString = true;
      else if (c === 0x5b || c === 0x7b) depth++;
      else if (c === 0x5d || c === 0x7d) {
        depth--;
        if (depth === 0) break;
      }
    }
    if (i >= text.length) {
      values.push({ source: text.slice(start), offset: start });
      return values;
    }
    i++;
    values.push({ source: text.slice(start, i), offset: start });
  }
}

// ---------------------------------------------------------------------------
// Text: `ip addr show` (with or without -d), `ip -o addr show`, `ip -o link show`

/** `2: eth0@if5: <BROADCAST,...> mtu 1500 ...` (plain and -o link). */
const HEADER = /^(\d+):\s+(\S+?):\s+<([^>]*)>(.*)$/;
/** `2: eth0    inet 172.16.10.11/24 ...` (-o addr; no colon after the name). */
const ONELINE_ADDR = /^(\d+):\s+(\S+)\s+(inet6?)\s+(.*)$/;
const ADDRESS_LINE = /^(inet6?)\s+(.*)$/;
const LINK_LINE = /^link\/(\S+)(?:\s+(\S+))?/;
/** `link/ether ... link-netnsid 0` (or `link-netns NAME`, a named namespace): the peer is in another network namespace. */
const LINK_NETNSID = /\slink-netns(?:id)?\s+\S/;
const MTU = /\bmtu\s+(\d+)\b/;
const BRIEF = /^\S+\s+(UP|DOWN|UNKNOWN|LOWERLAYERDOWN|DORMANT|NOTPRESENT|TESTING)(\s|$)/;
/** First words of `ip -d` detail lines that name the device kind. */
const DETAIL_KINDS = new Set([
  'veth', 'vxlan', 'geneve', 'ipip', 'ip6tnl', 'gre', 'gretap', 'ip6gre', 'ip6gretap', 'erspan', 'ip6erspan', 'sit', 'vti', 'vti6',
  'wireguard', 'tun', 'bridge', 'bond', 'vlan', 'macvlan', 'macvtap', 'ipvlan', 'dummy', 'ifb', 'team', 'vrf', 'openvswitch', 'nlmon', 'bareudp',
]);

function parseText(text: string, builder: Builder): void {
  const lines = text.split(/\r\n|\n|\r/);
  let current: Draft | null = null;
  let sawInterface = false;
  lines.forEach((physical, index) => {
    const lineNo = index + 1;
    if (physical.trim() === '') return;
    const fail: Fail = (detail) => {
      throw new NodeAddrsError(builder.file, detail, lineNo);
    };
    // -o turns each newline of an entry into a backslash.
    const segments = physical.split('\\');
    const head = (segments[0] ?? '').trim();
    const indented = /^\s/.test(physical);

    let m = HEADER.exec(head);
    if (m) {
      current = builder.interface(checkIfindex(Number(m[1]), fail), ifnameFromText(m[2] ?? '', fail), fail);
      const mtu = MTU.exec(m[4] ?? '');
      if (mtu) current.mtu ??= checkMtu(Number(mtu[1]), fail);
      sawInterface = true;
    } else if ((m = ONELINE_ADDR.exec(head)) && !(m[2] ?? '').endsWith(':')) {
      current = builder.interface(checkIfindex(Number(m[1]), fail), ifnameFromText(m[2] ?? '', fail), fail);
      addTextAddress(current, m[3] ?? '', m[4] ?? '', fail);
      sawInterface = true;
    } else if (current !== null && (indented || segments.length > 1 || isContinuation(head))) {
      continuation(current, head, fail);
    } else if (!sawInterface && BRIEF.test(head)) {
      fail('looks like `ip -br addr` output, which has no interface indexes or MACs; save `ip -j addr show` (or `ip addr show`) instead');
    } else {
      fail(sawInterface ? `${quote(head)} is not a line of \`ip addr show\` output` : `${EXPECTED}, but the file starts with ${quote(head)}`);
    }
    for (const segment of segments.slice(1)) {
      if (current !== null) continuation(current, segment.trim(), fail);
    }
  });
}

function isContinuation(line: string): boolean {
  return ADDRESS_LINE.test(line) || LINK_LINE.test(line) || line.startsWith('valid_lft') || line.startsWith('altname');
}

/** A line inside an interface's block: link/..., inet..., or detail lines we skip. */
function continuation(draft: Draft, line: string, fail: Fail): void {
  if (line === '') return;
  let m = ADDRESS_LINE.exec(line);
  if (m) {
    addTextAddress(draft, m[1] ?? '', m[2] ?? '', fail);
    return;
  }
  m = LINK_LINE.exec(line);
  if (m) {
    draft.linkType ??= m[1] ?? null;
    if (m[2] !== undefined) draft.mac ??= macOrNull(m[2]);
    if (LINK_NETNSID.test(line)) draft.netnsPeer = true;
    return;
  }
  const word = /^\S+/.exec(line)?.[0];
  if (word !== undefined && DETAIL_KINDS.has(word)) draft.infoKind ??= word;
  // valid_lft, altname, and `ip -d` details: nothing the analysis needs.
}

/** `inet 172.16.10.11/24 brd ... scope global eth0`, `inet 10.9.9.1 peer 10.9.9.2/32 ...` */
function addTextAddress(draft: Draft, familyWord: string, rest: string, fail: Fail): void {
  const family = familyWord === 'inet' ? 4 : 6;
  const tokens = rest.trim().split(/\s+/);
  const first = tokens[0] ?? '';
  let local: string;
  let peer: string | null = null;
  let cidr: string;
  if (tokens[1] === 'peer') {
    local = first;
    peer = tokens[2] ?? '';
    cidr = peer;
    const slash = cidr.indexOf('/');
    if (slash < 0) fail(`${familyWord} ${quote(first)} peer ${quote(peer)} has no prefix length`);
    peer = cidr.slice(0, slash);
  } else {
    cidr = first;
    const slash = cidr.indexOf('/');
    if (slash < 0) fail(`${familyWord} address ${quote(first)} has no prefix length`);
    local = cidr.slice(0, slash);
  }
  const prefixText = cidr.slice(cidr.indexOf('/') + 1);
  if (!/^\d{1,3}$/.test(prefixText)) fail(`${familyWord} address ${quote(cidr)}: prefix length ${quote(prefixText)} is not a number`);
  addAddress(draft, makeAddress(family, local, Number(prefixText), peer, (d) => fail(`${familyWord} address ${quote(first)}: ${d}`)));
}

/** `eth0.100@eth0` → `eth0.100`, `cali1234@if3` → `cali1234`, `tunl0@NONE` → `tunl0`. */
function ifnameFromText(token: string, fail: Fail): string {
  const at = token.lastIndexOf('@');
  const name = at > 0 ? token.slice(0, at) : token;
  checkIfname(name, fail);
  return name;
}

// ---------------------------------------------------------------------------
// Interface kinds

const TUNNEL_NAME =
  /^(tunl\d*|tun\d+|vxlan[-.]calico|vxlan-v6\.calico|egress\.calico|vxlan\d*|flannel[.-].*|cilium_vxlan|cilium_geneve|genev_sys_.*|vxlan_sys_.*|wireguard\.cali|wg-v6\.cali|wg.*|ipip.*|gre.*|erspan.*|ip6erspan.*|ip6gre.*|sit.*|ip6tnl.*|ip_vti\d+|ip6_vti\d+)$/;
/** ARPHRD types that only tunnels have; `none` is TUN and WireGuard. */
const TUNNEL_LINK_TYPES = new Set(['ipip', 'gre', 'gre6', 'ip6gre', 'sit', 'tunnel6', 'none']);
const TUNNEL_INFO_KINDS = new Set(['vxlan', 'geneve', 'ipip', 'ip6tnl', 'gre', 'gretap', 'ip6gre', 'ip6gretap', 'erspan', 'ip6erspan', 'sit', 'vti', 'vti6', 'wireguard', 'bareudp']);
/** Node ends of pod veths: Calico, generic CNI, Cilium (not LXC's lxcbr0), AWS VPC CNI, GKE, Azure CNI. */
const POD_VETH_NAME = /^(cali.*|veth.*|lxc(?!br\d).*|eni[0-9a-f]{11}|gke[0-9a-f]{11}|azv.*)$/;
/** Bridges and dummies of container runtimes and kube-proxy: carry node-local addresses, not the node's traffic. */
const OTHER_NAME =
  /^(cilium_host|cilium_net|cni\d+|cbr\d+|docker\d+|br-[0-9a-f]{12}|kube-ipvs\d+|kube-bridge|kube-dummy-if|nodelocaldns|lxcbr\d+|virbr\d+|ifb\d+|dummy\d+|nlmon\d+|weave|datapath|ovs-system)$/;
const OTHER_INFO_KINDS = new Set(['dummy', 'ifb', 'nlmon', 'vrf', 'openvswitch']);
const UNDERLAY_LINK_TYPES = new Set(['ether', 'infiniband', 'bond', 'vlan']);
/** When the file does not say the link type (`ip -o addr` alone, `ip -4 -j addr`): NIC-like names. */
const UNDERLAY_NAME = /^(eth|en|em|bond|team|ib|vlan|p\d+p\d+).*$|^.+\.\d+$/;

function classifyInterface(name: string, linkType: string | null, infoKind: string | null): InterfaceKind {
  if (name === 'lo' || linkType === 'loopback') return 'loopback';
  if (TUNNEL_NAME.test(name) || (linkType !== null && TUNNEL_LINK_TYPES.has(linkType)) || (infoKind !== null && TUNNEL_INFO_KINDS.has(infoKind))) return 'tunnel';
  if (POD_VETH_NAME.test(name)) return 'pod-veth';
  if (OTHER_NAME.test(name) || (infoKind !== null && OTHER_INFO_KINDS.has(infoKind))) return 'other';
  if (linkType === null ? UNDERLAY_NAME.test(name) : UNDERLAY_LINK_TYPES.has(linkType)) return 'underlay';
  return 'other';
}

// ---------------------------------------------------------------------------
// Look-ups

export interface AddressOwner {
  node: NodeAddrs;
  iface: NodeInterface;
  address: NodeAddress;
}

export interface MacOwner {
  node: NodeAddrs;
  iface: NodeInterface;
}

interface UnderlayNet extends AddressOwner {
  net: ipaddr.IPv4 | ipaddr.IPv6;
}

/** The MAC of loopback and TUN devices (Linux writes it on `lo`'s frames). */
export const ZERO_MAC = '00:00:00:00:00:00';

/** MACs that name no single device: loopback/TUN all-zeros and broadcast. */
const UNOWNED_MACS = new Set([ZERO_MAC, 'ff:ff:ff:ff:ff:ff']);

export class NodeAddrsIndex {
  readonly nodes: NodeAddrs[];
  private readonly byIp = new Map<string, AddressOwner[]>();
  private readonly byMac = new Map<string, MacOwner[]>();
  private readonly byIfindex = new Map<NodeAddrs, Map<number, NodeInterface>>();
  private readonly underlay: UnderlayNet[] = [];

  /** Throws NodeAddrsError when two files claim the same node name. */
  constructor(nodes: NodeAddrs[]) {
    this.nodes = nodes;
    const names = new Map<string, NodeAddrs>();
    for (const node of nodes) {
      const other = names.get(node.name);
      if (other) throw new NodeAddrsError(node.file, `node name ${quote(node.name)} is already used by ${other.file}; name them with NAME=FILE`);
      names.set(node.name, node);
      const byIndex = new Map<number, NodeInterface>();
      this.byIfindex.set(node, byIndex);
      for (const iface of node.interfaces) {
        if (iface.ifindex !== null && !byIndex.has(iface.ifindex)) byIndex.set(iface.ifindex, iface);
        if (iface.mac !== null && !UNOWNED_MACS.has(iface.mac)) push(this.byMac, iface.mac, { node, iface });
        for (const address of iface.addresses) {
          push(this.byIp, address.ip, { node, iface, address });
          if (iface.kind !== 'underlay') continue;
          // fe80::/64 is on every NIC; it says nothing about which NIC reaches a peer.
          if (isLinkLocal(address)) continue;
          this.underlay.push({ node, iface, address, net: ipaddr.parse(address.subnet.slice(0, address.subnet.indexOf('/'))) });
        }
      }
    }
  }

  /**
   * The node and interface that own this IP address (exact match), or null.
   * Null too when more than one interface has it: kube-ipvs0's service IPs,
   * nodelocaldns' 169.254.20.10 and 127.0.0.1 are on every node, and the
   * fe80:: of Calico's ee:ee:ee:ee:ee:ee veths on every veth. ownersOf lists them.
   */
  ownerOf(ip: string): AddressOwner | null {
    const owners = this.ownersOf(ip);
    return owners.length === 1 ? (owners[0] ?? null) : null;
  }

  /** Every interface that has this address. */
  ownersOf(ip: string): readonly AddressOwner[] {
    const direct = this.byIp.get(ip);
    if (direct) return direct;
    const key = lookupKey(ip);
    return (key === null ? undefined : this.byIp.get(key)) ?? [];
  }

  /**
   * The node and interface whose MAC this is, or null.
   *
   * A MAC on several interfaces of one node is normal for a bond, its slaves
   * and its VLANs: the answer is the first (lowest ifindex) of them that has
   * an address other than link-local, i.e. bond0 rather than a slave. Null
   * when the MAC is on more than one node, or only on interfaces without such
   * an address, or on pod veths: Calico gives every pod veth
   * ee:ee:ee:ee:ee:ee, so that MAC names no single device. ownersOfMac lists
   * them all. All-zero and broadcast MACs are never indexed.
   */
  ownerOfMac(mac: string): MacOwner | null {
    const owners = this.ownersOfMac(mac);
    if (owners.length <= 1) return owners[0] ?? null;
    const node = owners[0]?.node;
    if (owners.some((o) => o.node !== node)) return null;
    if (owners.some((o) => o.iface.kind === 'pod-veth')) return null;
    return owners.find((o) => o.iface.addresses.some((a) => !isLinkLocal(a))) ?? null;
  }

  ownersOfMac(mac: string): readonly MacOwner[] {
    return this.byMac.get(mac) ?? this.byMac.get(mac.trim().toLowerCase()) ?? [];
  }

  /** Interface of a node by ifindex. */
  interfaceByIndex(node: NodeAddrs, ifindex: number): NodeInterface | null {
    const byIndex = this.byIfindex.get(node);
    if (byIndex) return byIndex.get(ifindex) ?? null;
    return node.interfaces.find((i) => i.ifindex === ifindex) ?? null;
  }

  /**
   * The underlay NIC subnet that contains ip ("which NIC would reach this
   * peer"): longest prefix first, then nodes, NICs and addresses in file
   * order. Pass node to ask about one node's NICs, which is usually the
   * question (nodes on one network all have a NIC in its subnet).
   * IPv6 link-local subnets are left out.
   */
  subnetOf(ip: string, node?: NodeAddrs): AddressOwner | null {
    const parsed = parseForLookup(ip);
    if (parsed === null) return null;
    let best: UnderlayNet | null = null;
    for (const candidate of this.underlay) {
      if (node !== undefined && candidate.node !== node) continue;
      if (candidate.net.kind() !== parsed.kind()) continue;
      if (best !== null && candidate.address.prefixLen <= best.address.prefixLen) continue;
      if (parsed.match(candidate.net, candidate.address.prefixLen)) best = candidate;
    }
    return best === null ? null : { node: best.node, iface: best.iface, address: best.address };
  }
}

function isLinkLocal(address: NodeAddress): boolean {
  return ipaddr.parse(address.ip).range() === 'linkLocal';
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function parseForLookup(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const text = ip.trim().replace(/%.*$/, '');
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

function lookupKey(ip: string): string | null {
  const parsed = parseForLookup(ip);
  if (parsed === null) return null;
  return parsed.kind() === 'ipv4' ? parsed.toString() : (parsed as ipaddr.IPv6).toRFC5952String();
}

// ---------------------------------------------------------------------------
// Small helpers

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Present and not null: `ip -j` writes null for some absent values (`"link": null` for tunl0@NONE). */
function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${quote(value)}`;
  if (value === undefined) return 'missing';
  return String(value);
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max - 3) + '...' : text;
}

/** Untrusted text in a message: quoted, escaped (no control characters reach the terminal), clipped. */
function quote(text: string): string {
  return JSON.stringify(clip(text, 80));
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 0x0a) line++;
  return line;
}
