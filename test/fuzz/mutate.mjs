/**
 * Input generators for the fuzzers, shared by the in-suite fuzz test
 * (test/fuzz/whole-path.test.ts) and the long run (scripts/fuzz.mjs), so both
 * hunt with exactly the same mutations.
 *
 * A case is plain data made by fast-check (so the in-suite run shrinks it and
 * the long run can regenerate it from a seed): which corpus file, a list of
 * mutation operations, how to chunk the bytes, and the analysis options.
 * Positions are raw integers taken modulo the current length when applied, so
 * an operation stays meaningful whatever the ones before it did.
 *
 * The field locator walks pcap/pcapng structure and the common protocol
 * headers on its own (it does not ask podpath's decoder where things are), so
 * length-field corruption hits the fields a reader or decoder trusts: pcap
 * caplen/len, pcapng block and option lengths, IPv4 IHL/total length, UDP
 * length, IPv6 payload and extension header lengths, GRE flags, Geneve option
 * lengths, and the type fields that steer dispatch.
 *
 * Plain JavaScript (ESM) so the script can use it without a build step; the
 * types are in mutate.d.mts.
 */
import fc from 'fast-check';

// ---------------------------------------------------------------------------
// Byte helpers

function rd(b, o, size, le) {
  if (o < 0 || o + size > b.length) return -1;
  if (size === 1) return b[o];
  if (size === 2) return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
  return le ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0 : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function wr(b, o, size, le, v) {
  if (o < 0 || o + size > b.length) return;
  v >>>= 0;
  if (size === 1) b[o] = v & 0xff;
  else if (size === 2) {
    if (le) {
      b[o] = v & 0xff;
      b[o + 1] = (v >>> 8) & 0xff;
    } else {
      b[o] = (v >>> 8) & 0xff;
      b[o + 1] = v & 0xff;
    }
  } else if (le) {
    b[o] = v & 0xff;
    b[o + 1] = (v >>> 8) & 0xff;
    b[o + 2] = (v >>> 16) & 0xff;
    b[o + 3] = (v >>> 24) & 0xff;
  } else {
    b[o] = (v >>> 24) & 0xff;
    b[o + 1] = (v >>> 16) & 0xff;
    b[o + 2] = (v >>> 8) & 0xff;
    b[o + 3] = v & 0xff;
  }
}

export function concatBytes(parts) {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Field locator

/** Kinds of fields the locator reports; a 'field' operation can aim at one kind. */
export const FIELD_KINDS = [
  'pcap.version',
  'pcap.snaplen',
  'pcap.linktype',
  'pcap.caplen',
  'pcap.len',
  'pcapng.blocktype',
  'pcapng.blocklen',
  'pcapng.trailer',
  'pcapng.optcode',
  'pcapng.optlen',
  'pcapng.version',
  'pcapng.linktype',
  'pcapng.snaplen',
  'pcapng.ifid',
  'pcapng.caplen',
  'pcapng.origlen',
  'link.type',
  'ipv4.ihl',
  'ipv4.version',
  'ipv4.totlen',
  'ipv4.frag',
  'ipv4.proto',
  'ipv6.version',
  'ipv6.plen',
  'ipv6.next',
  'ipv6.extlen',
  'udp.port',
  'udp.len',
  'tcp.doff',
  'icmp.type',
  'vxlan.flags',
  'gre.flags',
  'gre.proto',
  'geneve.optlen',
  'geneve.opt',
  'geneve.proto',
];

/** At most this many fields are collected per input (the walk stops there). */
const MAX_FIELDS = 4096;
const MAX_DEPTH = 8;

/**
 * Every length and type field the locator can find in a capture.
 * @returns {{kind: string, o: number, size: 1|2|4, le: boolean, mask: number}[]}
 */
export function locateFields(b) {
  const out = [];
  const add = (kind, o, size, le = false, mask = 0) => {
    if (out.length < MAX_FIELDS && o >= 0 && o + size <= b.length) out.push({ kind, o, size, le, mask });
  };
  if (b.length < 4) return out;
  const be0 = rd(b, 0, 4, false);
  if (be0 === 0x0a0d0d0a) walkPcapng(b, add);
  else if (be0 === 0xa1b2c3d4 || be0 === 0xa1b23c4d) walkPcap(b, add, false);
  else if (rd(b, 0, 4, true) === 0xa1b2c3d4 || rd(b, 0, 4, true) === 0xa1b23c4d) walkPcap(b, add, true);
  return out;
}

function walkPcap(b, add, le) {
  if (b.length < 24) return;
  add('pcap.version', 4, 2, le);
  add('pcap.snaplen', 16, 4, le);
  add('pcap.linktype', 20, 4, le);
  const linkType = rd(b, 20, 4, le) & 0xffff;
  for (let p = 24; p + 16 <= b.length; ) {
    add('pcap.caplen', p + 8, 4, le);
    add('pcap.len', p + 12, 4, le);
    const capLen = rd(b, p + 8, 4, le);
    const end = Math.min(b.length, p + 16 + capLen);
    walkPacket(b, p + 16, end, linkType, add);
    if (capLen > b.length) return;
    p += 16 + capLen;
  }
}

/**
 * At a pcapng section header block: its byte order (true: little-endian),
 * null when the byte-order magic is neither; undefined at any other block.
 */
function sectionByteOrder(b, p) {
  if (rd(b, p, 4, false) !== 0x0a0d0d0a) return undefined;
  const bom = rd(b, p + 8, 4, false);
  if (bom === 0x1a2b3c4d) return false;
  if (bom === 0x4d3c2b1a) return true;
  return null;
}

function walkPcapng(b, add) {
  let le = false;
  let links = [];
  for (let p = 0; p + 12 <= b.length; ) {
    const order = sectionByteOrder(b, p);
    if (order === null) return;
    if (order !== undefined) {
      le = order;
      links = [];
    }
    add('pcapng.blocktype', p, 4, le);
    add('pcapng.blocklen', p + 4, 4, le);
    const len = rd(b, p + 4, 4, le);
    if (len < 12 || len % 4 !== 0) return;
    const end = Math.min(b.length, p + len - 4);
    add('pcapng.trailer', p + len - 4, 4, le);
    const type = rd(b, p, 4, le);
    const body = p + 8;
    if (type === 0x0a0d0d0a) {
      add('pcapng.version', body + 4, 2, le);
      walkOptions(b, body + 16, end, le, add);
    } else if (type === 1) {
      add('pcapng.linktype', body, 2, le);
      add('pcapng.snaplen', body + 4, 4, le);
      links.push(rd(b, body, 2, le));
      walkOptions(b, body + 8, end, le, add);
    } else if (type === 6 || type === 2) {
      add('pcapng.ifid', body, type === 6 ? 4 : 2, le);
      add('pcapng.caplen', body + 12, 4, le);
      add('pcapng.origlen', body + 16, 4, le);
      const capLen = rd(b, body + 12, 4, le);
      const ifId = type === 6 ? rd(b, body, 4, le) : rd(b, body, 2, le);
      const dataEnd = Math.min(end, body + 20 + Math.max(0, capLen));
      walkPacket(b, body + 20, dataEnd, links[ifId] ?? 1, add);
      walkOptions(b, body + 20 + ((capLen + 3) & ~3), end, le, add);
    } else if (type === 3) {
      add('pcapng.origlen', body, 4, le);
      walkPacket(b, body + 4, end, links[0] ?? 1, add);
    } else {
      walkOptions(b, body, end, le, add);
    }
    p += len;
  }
}

function walkOptions(b, o, end, le, add) {
  for (let guard = 0; o + 4 <= end && guard < 64; guard++) {
    add('pcapng.optcode', o, 2, le);
    add('pcapng.optlen', o + 2, 2, le);
    const code = rd(b, o, 2, le);
    const len = rd(b, o + 2, 2, le);
    if (code === 0) return;
    o += 4 + ((len + 3) & ~3);
  }
}

function walkPacket(b, o, end, linkType, add) {
  if (o >= end) return;
  switch (linkType) {
    case 1:
      return walkEthernet(b, o, end, add, 0);
    case 113:
      add('link.type', o + 14, 2);
      return walkEtherType(b, o + 16, end, rd(b, o + 14, 2, false), add, 0);
    case 276:
      add('link.type', o, 2);
      return walkEtherType(b, o + 20, end, rd(b, o, 2, false), add, 0);
    case 0:
    case 108: {
      add('link.type', o, 4, linkType === 0);
      const fam = Math.max(rd(b, o, 4, true), 0) > 0xff ? rd(b, o, 4, false) : rd(b, o, 4, true);
      return walkIp(b, o + 4, end, fam === 2 ? 4 : 6, add, 0);
    }
    case 101:
    case 12:
    case 14:
    case 228:
    case 229:
      return walkIp(b, o, end, linkType === 228 ? 4 : linkType === 229 ? 6 : b[o] >>> 4, add, 0);
    default:
      return;
  }
}

function walkEthernet(b, o, end, add, depth) {
  if (o + 14 > end) return;
  add('link.type', o + 12, 2);
  walkEtherType(b, o + 14, end, rd(b, o + 12, 2, false), add, depth);
}

function walkEtherType(b, o, end, type, add, depth) {
  if (depth > MAX_DEPTH || o >= end) return;
  for (let vlans = 0; (type === 0x8100 || type === 0x88a8 || type === 0x9100) && vlans < 4 && o + 4 <= end; vlans++) {
    add('link.type', o + 2, 2);
    type = rd(b, o + 2, 2, false);
    o += 4;
  }
  if (type === 0x0800) walkIp(b, o, end, 4, add, depth + 1);
  else if (type === 0x86dd) walkIp(b, o, end, 6, add, depth + 1);
  else if (type === 0x6558) walkEthernet(b, o, end, add, depth + 1);
}

function walkIp(b, o, end, version, add, depth) {
  if (depth > MAX_DEPTH || o >= end) return;
  if (version === 4) {
    if (o + 20 > end) return;
    add('ipv4.version', o, 1, false, 0xf0);
    add('ipv4.ihl', o, 1, false, 0x0f);
    add('ipv4.totlen', o + 2, 2);
    add('ipv4.frag', o + 6, 2);
    add('ipv4.proto', o + 9, 1);
    const ihl = (b[o] & 0x0f) * 4;
    if (ihl < 20) return;
    const total = rd(b, o + 2, 2, false);
    const stop = total >= ihl ? Math.min(end, o + total) : end;
    if ((rd(b, o + 6, 2, false) & 0x1fff) !== 0) return; // a later fragment: no header inside
    walkTransport(b, o + ihl, stop, b[o + 9], add, depth);
  } else if (version === 6) {
    if (o + 40 > end) return;
    add('ipv6.version', o, 1, false, 0xf0);
    add('ipv6.plen', o + 4, 2);
    add('ipv6.next', o + 6, 1);
    let next = b[o + 6];
    let p = o + 40;
    const plen = rd(b, o + 4, 2, false);
    const stop = plen > 0 ? Math.min(end, o + 40 + plen) : end;
    for (let guard = 0; guard < 8 && p + 8 <= stop; guard++) {
      if (next === 0 || next === 43 || next === 60) {
        add('ipv6.extlen', p + 1, 1);
        next = b[p];
        p += (b[p + 1] + 1) * 8;
      } else if (next === 44) {
        if ((rd(b, p + 2, 2, false) & 0xfff8) !== 0) return;
        next = b[p];
        p += 8;
      } else if (next === 51) {
        add('ipv6.extlen', p + 1, 1);
        next = b[p];
        p += (b[p + 1] + 2) * 4;
      } else break;
    }
    walkTransport(b, p, stop, next, add, depth);
  }
}

function walkTransport(b, o, end, proto, add, depth) {
  if (o >= end) return;
  switch (proto) {
    case 4:
      return walkIp(b, o, end, 4, add, depth + 1);
    case 41:
      return walkIp(b, o, end, 6, add, depth + 1);
    case 47:
      return walkGre(b, o, end, add, depth + 1);
    case 6:
      add('tcp.doff', o + 12, 1, false, 0xf0);
      return;
    case 1:
    case 58: {
      add('icmp.type', o, 1);
      const t = b[o];
      const error = proto === 1 ? t === 3 || t === 11 || t === 12 || t === 4 || t === 5 : t >= 1 && t <= 4;
      // The quoted packet of an ICMP error is decoded too.
      if (error && o + 8 < end) walkIp(b, o + 8, end, b[o + 8] >>> 4, add, depth + 1);
      return;
    }
    case 17: {
      if (o + 8 > end) return;
      add('udp.port', o, 2);
      add('udp.port', o + 2, 2);
      add('udp.len', o + 4, 2);
      const sport = rd(b, o, 2, false);
      const dport = rd(b, o + 2, 2, false);
      const p = o + 8;
      const isPort = (x) => dport === x || sport === x;
      if (isPort(4789) || isPort(8472)) {
        if (p + 8 > end) return;
        add('vxlan.flags', p, 1);
        return walkEthernet(b, p + 8, end, add, depth + 1);
      }
      if (isPort(6081)) {
        if (p + 8 > end) return;
        add('geneve.optlen', p, 1, false, 0x3f);
        add('geneve.proto', p + 2, 2);
        const optLen = (b[p] & 0x3f) * 4;
        for (let q = p + 8, guard = 0; q + 4 <= Math.min(end, p + 8 + optLen) && guard < 64; guard++) {
          add('geneve.opt', q + 3, 1, false, 0x1f);
          q += 4 + (b[q + 3] & 0x1f) * 4;
        }
        return walkEtherType(b, p + 8 + optLen, end, rd(b, p + 2, 2, false), add, depth + 1);
      }
      if (isPort(4754)) return walkGre(b, p, end, add, depth + 1);
      return;
    }
    default:
      return;
  }
}

function walkGre(b, o, end, add, depth) {
  if (depth > MAX_DEPTH || o + 4 > end) return;
  add('gre.flags', o, 2);
  add('gre.proto', o + 2, 2);
  const flags = rd(b, o, 2, false);
  let len = 4;
  if (flags & 0xc000) len += 4;
  if (flags & 0x2000) len += 4;
  if (flags & 0x1000) len += 4;
  if ((flags & 7) === 1 && flags & 0x80) len += 4;
  walkEtherType(b, o + len, end, rd(b, o + 2, 2, false), add, depth);
}

// ---------------------------------------------------------------------------
// Applying mutations

const INTERESTING = [0, 1, 2, 3, 4, 7, 8, 12, 15, 16, 20, 24, 28, 31, 32, 40, 63, 64, 127, 128, 255, 256, 1500, 4095, 4096, 9000, 0x7fff, 0x8000, 0xfffe, 0xffff, 0x10000, 262_144, 262_145, 0x7fffffff, 0x80000000, 0xfffffffc, 0xffffffff, 16 * 1024 * 1024, 16 * 1024 * 1024 + 4];

function fieldMax(f) {
  if (f.mask) {
    let m = f.mask;
    while ((m & 1) === 0) m >>>= 1;
    return m;
  }
  return f.size === 4 ? 0xffffffff : f.size === 2 ? 0xffff : 0xff;
}

function fieldShift(f) {
  if (!f.mask) return 0;
  let s = 0;
  while (((f.mask >>> s) & 1) === 0) s++;
  return s;
}

/** New value for a field: `how` picks the strategy, `rnd` feeds it. */
function corrupt(value, max, how, rnd) {
  switch (how % 10) {
    case 0:
      return 0;
    case 1:
      return max;
    case 2:
      return value + 1 + (rnd % 4);
    case 3:
      return value - 1 - (rnd % 4);
    case 4:
      return rnd % (max + 1);
    case 5:
      return INTERESTING[rnd % INTERESTING.length];
    case 6:
      return value * 2 + (rnd & 1);
    case 7:
      return value ^ (1 << (rnd % 32));
    case 8:
      return value + ((rnd % 129) - 64) * 4;
    default:
      return Math.floor(value / (2 + (rnd % 3)));
  }
}

function applyField(b, op) {
  const fields = locateFields(b);
  if (fields.length === 0) return b;
  let pool = fields;
  if (op.kind >= 0) {
    const want = FIELD_KINDS[op.kind % FIELD_KINDS.length];
    const same = fields.filter((f) => f.kind === want);
    if (same.length > 0) pool = same;
  }
  const f = pool[op.pick % pool.length];
  const max = fieldMax(f);
  const shift = fieldShift(f);
  const raw = rd(b, f.o, f.size, f.le);
  const value = f.mask ? (raw & f.mask) >>> shift : raw;
  let nv = corrupt(value, max, op.how, op.rnd);
  nv = ((nv % (max + 1)) + (max + 1)) % (max + 1);
  const out = b.slice();
  wr(out, f.o, f.size, f.le, f.mask ? ((raw & ~f.mask) | ((nv << shift) & f.mask)) >>> 0 : nv);
  return out;
}

/** What hostile interface names are made of: wide, zero-width, combining, bidi, control, format characters. */
const NAME_PIECES = ['eth0-', '日本語', '😀', '\u001b[31m', 'e\u0301', '\u200b', '\u202e', 'a b c ', '\\Device\\NPF_{', '%s%n', '\n\r\t', '\u00ad'];
const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: false });

/**
 * Replace a pcapng interface description block by one with a long (and odd)
 * if_name or if_description, `copies` times: renderers and attribution meet
 * names of any length and as many interfaces as a file can declare.
 */
function applyIfname(b, op) {
  const idbs = [];
  let le = false;
  for (let p = 0; p + 12 <= b.length; ) {
    const order = sectionByteOrder(b, p);
    if (order === null) break;
    if (order !== undefined) le = order;
    const len = rd(b, p + 4, 4, le);
    if (len < 12 || len % 4 !== 0 || p + len > b.length) break;
    if (rd(b, p, 4, le) === 1 && len >= 20) idbs.push({ p, len, le });
    p += len;
  }
  if (idbs.length === 0) return b;
  const { p, len, le: l } = idbs[op.pick % idbs.length];
  const unit = enc.encode(NAME_PIECES[op.alphabet % NAME_PIECES.length]);
  const n = Math.min(65532, op.len);
  const name = new Uint8Array(n);
  for (let i = 0; i < n; i++) name[i] = unit[i % unit.length];
  const total = 12 + 8 + 4 + ((n + 3) & ~3) + 4;
  const idb = new Uint8Array(total);
  wr(idb, 0, 4, l, 1);
  wr(idb, 4, 4, l, total);
  idb.set(b.subarray(p + 8, p + 16), 8);
  wr(idb, 16, 2, l, op.field % 2 ? 3 : 2);
  wr(idb, 18, 2, l, n);
  idb.set(name, 20);
  wr(idb, total - 4, 4, l, total);
  const copies = Math.max(1, Math.min(op.copies, Math.floor(MAX_INPUT / total)));
  return concatBytes([b.subarray(0, p), ...Array.from({ length: copies }, () => idb), b.subarray(p + len)]);
}

/**
 * Apply one operation. `corpus` is the list of inputs splices take their
 * other half from; `dictionary` the byte strings 'token' inserts.
 */
export function applyOp(b, op, corpus, dictionary) {
  const n = b.length;
  switch (op.t) {
    case 'flip': {
      if (n === 0) return b;
      const out = b.slice();
      out[op.at % n] ^= 1 << op.bit;
      return out;
    }
    case 'set': {
      if (n === 0) return b;
      const out = b.slice();
      out[op.at % n] = op.value;
      return out;
    }
    case 'trunc':
      return b.subarray(0, op.at % (n + 1));
    case 'insert': {
      const at = op.at % (n + 1);
      return concatBytes([b.subarray(0, at), op.bytes, b.subarray(at)]);
    }
    case 'token': {
      const at = op.at % (n + 1);
      const tok = dictionary.length > 0 ? dictionary[op.k % dictionary.length] : new Uint8Array(0);
      const del = op.replace ? Math.min(tok.length, n - at) : 0;
      return concatBytes([b.subarray(0, at), tok, b.subarray(at + del)]);
    }
    case 'delete': {
      if (n === 0) return b;
      const at = op.at % n;
      return concatBytes([b.subarray(0, at), b.subarray(Math.min(n, at + op.n))]);
    }
    case 'dup': {
      if (n === 0) return b;
      const from = op.from % n;
      const piece = b.subarray(from, Math.min(n, from + op.n));
      const to = op.to % (n + 1);
      return concatBytes([b.subarray(0, to), piece, b.subarray(to)]);
    }
    case 'splice': {
      if (corpus.length === 0) return b;
      const other = corpus[op.other % corpus.length];
      return concatBytes([b.subarray(0, op.at % (n + 1)), other.subarray(op.from % (other.length + 1))]);
    }
    case 'field':
      return applyField(b, op);
    case 'ifname':
      return applyIfname(b, op);
    default:
      throw new Error(`unknown mutation ${JSON.stringify(op)}`);
  }
}

/** Upper bound on a mutated input (insertions and splices cannot grow it past this). */
export const MAX_INPUT = 512 * 1024;

export function applyOps(bytes, ops, corpus, dictionary = []) {
  let b = bytes;
  for (const op of ops) {
    b = applyOp(b, op, corpus, dictionary);
    if (b.length > MAX_INPUT) b = b.subarray(0, MAX_INPUT);
  }
  return b === bytes ? bytes.slice() : b;
}

// ---------------------------------------------------------------------------
// fast-check arbitraries

const pos = fc.nat({ max: 0x7fffffff });

/** One mutation of a binary input. */
export const binaryOp = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('flip'), at: pos, bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('set'), at: pos, value: fc.oneof(fc.constantFrom(0, 0xff, 0x7f, 0x80, 1), fc.integer({ min: 0, max: 255 })) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('trunc'), at: pos }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('insert'), at: pos, bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('token'), at: pos, k: fc.nat(), replace: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('delete'), at: pos, n: fc.integer({ min: 1, max: 64 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dup'), from: pos, n: fc.integer({ min: 1, max: 512 }), to: pos }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('splice'), other: fc.nat(), at: pos, from: pos }) },
  {
    weight: 1,
    arbitrary: fc.record({
      t: fc.constant('ifname'),
      pick: pos,
      len: fc.oneof(fc.integer({ min: 0, max: 64 }), fc.integer({ min: 0, max: 8000 }), fc.constant(65532)),
      alphabet: fc.nat(),
      field: fc.nat(),
      copies: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3000 }) }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      t: fc.constant('field'),
      kind: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: FIELD_KINDS.length - 1 })),
      pick: pos,
      how: fc.integer({ min: 0, max: 9 }),
      rnd: fc.nat({ max: 0xffffffff }),
    }),
  },
);

/** Byte strings worth inserting into captures: magics, EtherTypes, tunnel ports, lengths. */
export const BINARY_DICTIONARY = [
  [0x0a, 0x0d, 0x0d, 0x0a],
  [0x1a, 0x2b, 0x3c, 0x4d],
  [0x4d, 0x3c, 0x2b, 0x1a],
  [0xa1, 0xb2, 0xc3, 0xd4],
  [0xd4, 0xc3, 0xb2, 0xa1],
  [0x4d, 0x3c, 0xb2, 0xa1],
  [0x08, 0x00],
  [0x86, 0xdd],
  [0x81, 0x00],
  [0x65, 0x58],
  [0x12, 0xb5],
  [0x21, 0x18],
  [0x17, 0xc1],
  [0x12, 0x92],
  [0x45, 0x00],
  [0x60, 0x00, 0x00, 0x00],
  [0xff, 0xff, 0xff, 0xff],
  [0x00, 0x00, 0x00, 0x00],
  [0x00, 0x00, 0x00, 0x0c],
  [0x0c, 0x00, 0x00, 0x00],
  [0x08, 0x00, 0x00, 0x00],
  [0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x14],
  [0x06, 0x00, 0x00, 0x00],
  [0x00, 0x09, 0x00, 0x01, 0x09, 0x00, 0x00, 0x00],
  [0x00, 0x02, 0x00, 0x04],
  [0x00, 0x00, 0x01, 0x00],
].map((a) => Uint8Array.from(a));

/** How the bytes reach the reader. */
export const deliveryArbitrary = fc.record({
  /** Chunk sizes, cycled; empty: one chunk. */
  chunks: fc.oneof(
    { weight: 2, arbitrary: fc.constant([]) },
    { weight: 2, arbitrary: fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 4 }) },
    { weight: 3, arbitrary: fc.array(fc.integer({ min: 1, max: 4096 }), { minLength: 1, maxLength: 4 }) },
  ),
  /** Hand every chunk out of one reused buffer, as the file reader does. */
  reuse: fc.boolean(),
  /** Gzip the mutated capture, and maybe damage the gzip stream too. */
  gzip: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.record({ damage: fc.constantFrom('none', 'none', 'trunc', 'flip'), at: pos }) }),
  /** Stop after this many packets (readCaptureStream's maxPackets); 0: read all. */
  maxPackets: fc.oneof({ weight: 9, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 20 }) }),
});

/** Options given to the analysis, as the CLI would from flags. */
export const analysisArbitrary = fc.record({
  vxlanPorts: fc.oneof(fc.constant([]), fc.constant([8472]), fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 2 })),
  genevePorts: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 65535 }), { maxLength: 2 }) }),
  blockSize: fc.oneof(fc.constant(26), fc.integer({ min: 8, max: 32 })),
  topPairs: fc.oneof(fc.constant(10), fc.integer({ min: 0, max: 50 })),
  /** Index of a node address set (mod the number available); -1: none. */
  nodeAddrs: fc.oneof(fc.constant(-1), fc.nat()),
  podCidrs: fc.oneof(fc.constant([]), fc.constant(['10.244.0.0/16']), fc.constant(['0.0.0.0/0', '::/0']), fc.constant(['192.168.0.0/16', 'fd00::/8'])),
  interfaceName: fc.oneof(fc.constant(null), fc.constant('eth1')),
  /** A second capture analysed alongside (mod corpus size); -1: none. */
  extra: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat() }),
  /** The CLI renders at 60 to 160 columns. */
  tableWidth: fc.integer({ min: 60, max: 200 }),
  /** renderTable costs ~10 ms (cli-table3), more than the rest of a case: in some cases only. */
  table: fc.oneof({ weight: 1, arbitrary: fc.constant(true) }, { weight: 4, arbitrary: fc.constant(false) }),
  color: fc.boolean(),
});

/** A capture case: corpus file, mutations, delivery, analysis options. */
export function captureCaseArbitrary(corpusSize) {
  return fc.record({
    source: fc.nat({ max: Math.max(0, corpusSize - 1) }),
    ops: fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 6, arbitrary: fc.array(binaryOp, { minLength: 1, maxLength: 3 }) },
      { weight: 2, arbitrary: fc.array(binaryOp, { minLength: 4, maxLength: 12 }) },
    ),
    delivery: deliveryArbitrary,
    analysis: analysisArbitrary,
  });
}

// ---------------------------------------------------------------------------
// Text inputs: node address files and saved reports

/** Fragments of `ip` output and JSON worth inserting into text inputs. */
export const TEXT_DICTIONARY = [
  '"', '{', '}', '[', ']', ':', ',', 'null', 'true', '-1', '0', '1e999', '-0', '4294967296', '1.5', '""', '{}', '[]',
  '"ifname":', '"ifindex":', '"addr_info":', '"family":"inet"', '"family":"inet6"', '"local":', '"prefixlen":', '"address":',
  '"link_type":', '"mtu":', '"linkinfo":{"info_kind":"vxlan"}', '"schema":"podpath.report/1"', '"paths":', '"findings":', '"nodes":',
  '"mode":', '"icmpRtt":', '"podBlocks":', '"interface":', '"captures":', '"verdicts":', '"packets":', '"vni":', '"port":',
  '\n', '\r\n', '\\', '\\u0000', '\u0000', '\ufeff', '\u2028', '\ud800', '    ', '\t',
  'inet ', 'inet6 ', ' peer ', '/', '/33', '/129', '/-1', '@', '@if3', 'mtu ', 'mtu 99999999999 ', 'link/ether ', 'link/none', 'link/loopback ',
  'ff:ff:ff:ff:ff:ff', 'ee:ee:ee:ee:ee:ee', '00:00:00:00:00:00', '::', '::1', 'fe80::1', '::ffff:1.2.3.4', '1.2.3.4', '255.255.255.255', '0.0.0.0', '10.244.0.0/16',
  '1.2.3', '01.2.3.4', '0x0a.0.0.1', '2: ', '4294967295: ', '0: ', 'eth0: <BROADCAST,UP> mtu 1500', 'valid_lft forever', 'altname ', 'vxlan id 1',
  'tunl0@NONE: ', 'cali123@if3: ', 'UP ', ' scope global ', 'brd ', 'a'.repeat(16), 'é', '日本', '😀',
].map((s) => enc.encode(s));

/** One mutation of a text input (bytes of its UTF-8), with text-specific tokens weighted up. */
export const textOp = fc.oneof(
  { weight: 2, arbitrary: fc.record({ t: fc.constant('flip'), at: pos, bit: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('set'), at: pos, value: fc.oneof(fc.constantFrom(0x22, 0x7b, 0x7d, 0x5b, 0x5d, 0x3a, 0x2c, 0x0a, 0x20, 0x2f, 0x2d, 0x30, 0x39, 0x2e), fc.integer({ min: 0, max: 255 })) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('trunc'), at: pos }) },
  { weight: 5, arbitrary: fc.record({ t: fc.constant('token'), at: pos, k: fc.nat(), replace: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('delete'), at: pos, n: fc.integer({ min: 1, max: 40 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dup'), from: pos, n: fc.integer({ min: 1, max: 400 }), to: pos }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('splice'), other: fc.nat(), at: pos, from: pos }) },
);

/** A change to a parsed JSON document: at the `pick`-th node, do `action`. */
export const jsonOp = fc.record({
  pick: pos,
  action: fc.constantFrom('replace', 'replace', 'delete', 'dup', 'retype', 'null', 'empty', 'huge'),
  value: fc.jsonValue({ maxDepth: 2 }),
});

/** Every (container, key) in a JSON value, depth first, at most `max`. */
function jsonSlots(root, max = 20_000) {
  const slots = [];
  const walk = (v) => {
    if (slots.length >= max || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && slots.length < max; i++) {
        slots.push([v, i]);
        walk(v[i]);
      }
    } else {
      for (const k of Object.keys(v)) {
        if (slots.length >= max) break;
        slots.push([v, k]);
        walk(v[k]);
      }
    }
  };
  walk(root);
  return slots;
}

function retype(v, value) {
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return v === '' ? 0 : /^-?\d/.test(v) ? Number.parseFloat(v) : [v];
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (Array.isArray(v)) return v.length > 0 ? v[0] : {};
  if (v && typeof v === 'object') return Object.values(v);
  return value;
}

/** Apply JSON operations to a deep copy of `doc`. */
export function applyJsonOps(doc, ops) {
  let root = structuredClone(doc);
  for (const op of ops) {
    const slots = jsonSlots(root);
    if (slots.length === 0) {
      root = op.value;
      continue;
    }
    const [c, k] = slots[op.pick % slots.length];
    switch (op.action) {
      case 'replace':
        c[k] = op.value;
        break;
      case 'delete':
        if (Array.isArray(c)) c.splice(k, 1);
        else delete c[k];
        break;
      case 'dup':
        if (Array.isArray(c)) c.splice(k, 0, structuredClone(c[k]));
        else c[`${k}_`] = structuredClone(c[k]);
        break;
      case 'retype':
        c[k] = retype(c[k], op.value);
        break;
      case 'null':
        c[k] = null;
        break;
      case 'empty':
        c[k] = Array.isArray(c[k]) ? [] : typeof c[k] === 'object' ? {} : '';
        break;
      case 'huge':
        c[k] = typeof c[k] === 'string' ? c[k].repeat(50).slice(0, 5000) : op.pick % 2 ? 1e308 : -1e308;
        break;
    }
  }
  return root;
}

/** A text case: which document, structural JSON changes (if it is JSON), then byte-level text mutations. */
export function textCaseArbitrary(corpusSize) {
  return fc.record({
    source: fc.nat({ max: Math.max(0, corpusSize - 1) }),
    json: fc.oneof({ weight: 1, arbitrary: fc.constant([]) }, { weight: 2, arbitrary: fc.array(jsonOp, { minLength: 1, maxLength: 4 }) }),
    ops: fc.oneof({ weight: 2, arbitrary: fc.constant([]) }, { weight: 3, arbitrary: fc.array(textOp, { minLength: 1, maxLength: 5 }) }),
    /** Also read it from a file (loadNodeAddrs / loadReport), with a BOM or in UTF-16 now and then. */
    viaFile: fc.constantFrom('no', 'no', 'no', 'utf8', 'bom', 'utf16le'),
    /** The other side of a diff, or the other node (mod the number available). */
    other: fc.nat(),
  });
}

/** The text a text case yields from the corpus (JSON documents are re-serialised after structural changes). */
export function materializeText(corpusTexts, c) {
  const source = corpusTexts[c.source % corpusTexts.length];
  let text = source;
  if (c.json.length > 0) {
    let doc;
    try {
      doc = JSON.parse(source);
    } catch {
      doc = undefined;
    }
    if (doc !== undefined) {
      const changed = applyJsonOps(doc, c.json);
      const s = JSON.stringify(changed, null, c.source % 2 ? 2 : undefined);
      if (typeof s === 'string') text = s;
    }
  }
  if (c.ops.length === 0) return text;
  const bytes = applyOps(enc.encode(text), c.ops, corpusTexts.map((t) => enc.encode(t)), TEXT_DICTIONARY);
  return dec.decode(bytes);
}

/** File bytes for a text case read through the file loaders. */
export function textFileBytes(text, viaFile) {
  if (viaFile === 'bom') return concatBytes([Uint8Array.from([0xef, 0xbb, 0xbf]), enc.encode(text)]);
  if (viaFile === 'utf16le') {
    const b = Buffer.from(text, 'utf16le');
    return concatBytes([Uint8Array.from([0xff, 0xfe]), new Uint8Array(b.buffer, b.byteOffset, b.length)]);
  }
  return enc.encode(text);
}

/**
 * `ip -o addr show` text for an `ip -j addr show` document, so the text
 * parser gets realistic input from the same samples.
 */
export function ipOneLineText(doc) {
  if (!Array.isArray(doc)) return '';
  const lines = [];
  for (const e of doc) {
    if (!e || typeof e !== 'object' || !Array.isArray(e.addr_info)) continue;
    for (const a of e.addr_info) {
      if (!a || typeof a !== 'object') continue;
      const fam = a.family === 'inet6' ? 'inet6' : 'inet';
      const peer = typeof a.address === 'string' ? ` peer ${a.address}/${a.prefixlen}` : `/${a.prefixlen}`;
      const local = typeof a.address === 'string' ? a.local : `${a.local}`;
      lines.push(`${e.ifindex}: ${e.ifname}    ${fam} ${local}${peer} scope ${a.scope ?? 'global'} ${e.ifname}\\       valid_lft forever preferred_lft forever`);
    }
  }
  for (const e of doc) {
    if (!e || typeof e !== 'object') continue;
    lines.push(`${e.ifindex}: ${e.ifname}: <${(e.flags ?? []).join(',')}> mtu ${e.mtu} qdisc noqueue state UP mode DEFAULT group default qlen 1000\\    link/${e.link_type ?? 'ether'} ${e.address ?? '00:00:00:00:00:00'} brd ff:ff:ff:ff:ff:ff`);
  }
  return lines.join('\n') + '\n';
}
