/**
 * Byte-by-byte builders for classic pcap and pcapng, so a test can craft
 * exactly the structure it needs (including broken ones). Every field is
 * written explicitly and named; nothing here shares code with src/capture.
 *
 * Checked against real readers while they were written: files built with
 * these functions were read by tshark 4.0 (frame.time_epoch,
 * frame.interface_name, frame.cap_len, frame.len) exactly as the tests below
 * expect podpath to read them.
 *
 * References: draft-ietf-opsawg-pcap (classic), draft-ietf-opsawg-pcapng.
 */

export type ByteOrder = 'le' | 'be';

/** Little helper that appends fixed-width fields in one byte order. */
export class Bytes {
  private readonly parts: number[] = [];
  constructor(readonly order: ByteOrder) {}

  get length(): number {
    return this.parts.length;
  }

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }

  u16(v: number): this {
    const b = [(v >>> 8) & 0xff, v & 0xff];
    if (this.order === 'le') b.reverse();
    this.parts.push(...b);
    return this;
  }

  u32(v: number): this {
    const b = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    if (this.order === 'le') b.reverse();
    this.parts.push(...b);
    return this;
  }

  i32(v: number): this {
    return this.u32(v >>> 0);
  }

  /** 64-bit value; pcapng writes it as one integer in the section's byte order. */
  u64(v: bigint): this {
    const x = BigInt.asUintN(64, v);
    const hi = Number(x >> 32n);
    const lo = Number(x & 0xffffffffn);
    return this.order === 'le' ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }

  /** Raw bytes, byte order irrelevant. */
  raw(b: Uint8Array | readonly number[]): this {
    for (const x of b) this.parts.push(x & 0xff);
    return this;
  }

  /** Zero bytes up to the next multiple of 4 (pcapng pads data and options). */
  pad4(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Deterministic packet bytes of a given length (content is irrelevant to the reader). */
export function payload(length: number, seed = 1): Uint8Array {
  const b = new Uint8Array(length);
  let x = seed * 2654435761;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

// ---------------------------------------------------------------------------
// Classic pcap
// ---------------------------------------------------------------------------

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

export interface PcapHeaderSpec {
  /** Byte order of the writer: the magic reads a1b2c3d4 in it. */
  order?: ByteOrder;
  nanosecond?: boolean;
  /** Overrides the magic (bad-magic tests). */
  magic?: number;
  versionMajor?: number;
  versionMinor?: number;
  thiszone?: number;
  sigfigs?: number;
  snapLen?: number;
  /** The whole 32-bit link-type field: link type in bits 0-15, FCS info in 26-31, reserved 16-25. */
  linkTypeField?: number;
  /**
   * Order of the two length fields in record headers. Files before version 2.3
   * put orig_len first ('pre-2.3', the default for those versions); 2.3 and
   * later put incl_len first ('modern').
   */
  lengthOrder?: 'modern' | 'pre-2.3';
}

export interface PcapRecordSpec {
  sec: number;
  /** Microseconds, or nanoseconds in a nanosecond file. */
  frac: number;
  data: Uint8Array;
  /** orig_len; defaults to data.length. */
  wireLen?: number;
  /** incl_len as written; defaults to data.length (set it to lie). */
  inclLen?: number;
}

export function pcapHeader(h: PcapHeaderSpec = {}): Uint8Array {
  const w = new Bytes(h.order ?? 'le');
  w.u32(h.magic ?? (h.nanosecond ? PCAP_MAGIC_NS : PCAP_MAGIC_US)); // magic_number
  w.u16(h.versionMajor ?? 2); // version_major
  w.u16(h.versionMinor ?? 4); // version_minor
  w.i32(h.thiszone ?? 0); // thiszone (GMT offset, always 0 in practice)
  w.u32(h.sigfigs ?? 0); // sigfigs
  w.u32(h.snapLen ?? 65535); // snaplen
  w.u32(h.linkTypeField ?? 1); // network (LINKTYPE_ETHERNET by default)
  return w.bytes();
}

export function pcapRecord(order: ByteOrder, r: PcapRecordSpec, lengthOrder: 'modern' | 'pre-2.3' = 'modern'): Uint8Array {
  const inclLen = r.inclLen ?? r.data.length;
  const origLen = r.wireLen ?? r.data.length;
  const w = new Bytes(order);
  w.u32(r.sec); // ts_sec
  w.u32(r.frac); // ts_usec or ts_nsec
  if (lengthOrder === 'modern') {
    w.u32(inclLen); // incl_len
    w.u32(origLen); // orig_len
  } else {
    w.u32(origLen); // len (pre-2.3 order)
    w.u32(inclLen); // caplen
  }
  w.raw(r.data); // packet data, no padding in classic pcap
  return w.bytes();
}

export function pcapFile(h: PcapHeaderSpec, records: PcapRecordSpec[]): Uint8Array {
  const order = h.order ?? 'le';
  const major = h.versionMajor ?? 2;
  const minor = h.versionMinor ?? 4;
  const lengthOrder = h.lengthOrder ?? (major === 2 && minor < 3 ? 'pre-2.3' : 'modern');
  return concat(pcapHeader(h), ...records.map((r) => pcapRecord(order, r, lengthOrder)));
}

// ---------------------------------------------------------------------------
// pcapng
// ---------------------------------------------------------------------------

export const BT_SHB = 0x0a0d0d0a;
export const BT_IDB = 0x00000001;
export const BT_PB = 0x00000002; // obsolete Packet Block
export const BT_SPB = 0x00000003;
export const BT_NRB = 0x00000004;
export const BT_ISB = 0x00000005;
export const BT_EPB = 0x00000006;
export const BT_DSB = 0x0000000a;
export const BT_CUSTOM = 0x00000bad;
export const BT_CUSTOM_NOCOPY = 0x40000bad;

/** One option: code u16, length u16, value padded to 4 bytes. */
export interface NgOption {
  code: number;
  value: Uint8Array;
  /** Written option_length; defaults to value.length (set it to lie). */
  length?: number;
}

export const opt = {
  /** UTF-8 string option (if_name = 2, if_description = 3, shb_hardware = 2, opt_comment = 1, ...). */
  text(code: number, s: string): NgOption {
    return { code, value: new TextEncoder().encode(s) };
  },
  u8(code: number, v: number): NgOption {
    return { code, value: Uint8Array.of(v) };
  },
  /** Fixed-width option values are written in the section's byte order. */
  u32(order: ByteOrder, code: number, v: number): NgOption {
    return { code, value: new Bytes(order).u32(v).bytes() };
  },
  u64(order: ByteOrder, code: number, v: bigint): NgOption {
    return { code, value: new Bytes(order).u64(v).bytes() };
  },
};

/** Options list followed by opt_endofopt; nothing at all when there are no options. */
export function optionsBytes(order: ByteOrder, options: NgOption[], endOfOpt = true): Uint8Array {
  if (options.length === 0) return new Uint8Array(0);
  const w = new Bytes(order);
  for (const o of options) {
    w.u16(o.code); // option_code
    w.u16(o.length ?? o.value.length); // option_length
    w.raw(o.value).pad4(); // option_value, padded to 32 bits
  }
  if (endOfOpt) w.u16(0).u16(0); // opt_endofopt
  return w.bytes();
}

export interface BlockOverrides {
  /** Written block_total_length at the start (defaults to the true length). */
  length?: number;
  /** Written block_total_length at the end (defaults to the same as the start). */
  trailer?: number;
}

/** Generic block: block_type | block_total_length | body (padded) | block_total_length. */
export function block(order: ByteOrder, type: number, body: Uint8Array, o: BlockOverrides = {}): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const w = new Bytes(order);
  w.u32(type); // block_type
  w.u32(o.length ?? total); // block_total_length
  w.raw(body).pad4(); // block body
  w.u32(o.trailer ?? o.length ?? total); // block_total_length (again)
  return w.bytes();
}

export interface ShbSpec {
  order: ByteOrder;
  major?: number;
  minor?: number;
  /** -1 = unspecified. */
  sectionLength?: bigint;
  options?: NgOption[];
  overrides?: BlockOverrides;
}

export function shb(s: ShbSpec): Uint8Array {
  const w = new Bytes(s.order);
  w.u32(0x1a2b3c4d); // byte_order_magic
  w.u16(s.major ?? 1); // major_version
  w.u16(s.minor ?? 0); // minor_version
  w.u64(s.sectionLength ?? -1n); // section_length
  w.raw(optionsBytes(s.order, s.options ?? [])); // options (shb_hardware 2, shb_os 3, shb_userappl 4)
  return block(s.order, BT_SHB, w.bytes(), s.overrides);
}

export interface IdbSpec {
  linkType?: number;
  snapLen?: number;
  name?: string; // if_name (2)
  description?: string; // if_description (3)
  /** if_tsresol (9): MSB clear = 10^-v seconds, set = 2^-(v & 0x7f). */
  tsresol?: number;
  /** if_tsoffset (14): seconds added to every timestamp. */
  tsoffset?: bigint;
  /** Extra options, written after the named ones. */
  options?: NgOption[];
  overrides?: BlockOverrides;
}

export function idb(order: ByteOrder, s: IdbSpec = {}): Uint8Array {
  const options: NgOption[] = [];
  if (s.name !== undefined) options.push(opt.text(2, s.name));
  if (s.description !== undefined) options.push(opt.text(3, s.description));
  if (s.tsresol !== undefined) options.push(opt.u8(9, s.tsresol));
  if (s.tsoffset !== undefined) options.push(opt.u64(order, 14, s.tsoffset));
  options.push(...(s.options ?? []));
  const w = new Bytes(order);
  w.u16(s.linkType ?? 1); // LinkType
  w.u16(0); // Reserved
  w.u32(s.snapLen ?? 0); // SnapLen (0 = no limit)
  w.raw(optionsBytes(order, options));
  return block(order, BT_IDB, w.bytes(), s.overrides);
}

export interface EpbSpec {
  ifId: number;
  /** Timestamp in the interface's units (64-bit). */
  ts: bigint;
  data: Uint8Array;
  wireLen?: number;
  /** Captured Packet Length as written; defaults to data.length. */
  capLen?: number;
  /** epb_flags (2): bits 0-1 direction (1 in, 2 out), 2-4 reception type, ... */
  flags?: number;
  options?: NgOption[];
  overrides?: BlockOverrides;
}

export function epb(order: ByteOrder, s: EpbSpec): Uint8Array {
  const options: NgOption[] = [];
  if (s.flags !== undefined) options.push(opt.u32(order, 2, s.flags));
  options.push(...(s.options ?? []));
  const t = BigInt.asUintN(64, s.ts);
  const w = new Bytes(order);
  w.u32(s.ifId); // Interface ID
  w.u32(Number(t >> 32n)); // Timestamp (Upper)
  w.u32(Number(t & 0xffffffffn)); // Timestamp (Lower)
  w.u32(s.capLen ?? s.data.length); // Captured Packet Length
  w.u32(s.wireLen ?? s.data.length); // Original Packet Length
  w.raw(s.data).pad4(); // Packet Data, padded to 32 bits
  w.raw(optionsBytes(order, options));
  return block(order, BT_EPB, w.bytes(), s.overrides);
}

export interface SpbSpec {
  /** Packet data as stored in the block (the reader caps it at the snaplen and origlen). */
  data: Uint8Array;
  wireLen?: number;
  overrides?: BlockOverrides;
}

export function spb(order: ByteOrder, s: SpbSpec): Uint8Array {
  const w = new Bytes(order);
  w.u32(s.wireLen ?? s.data.length); // Original Packet Length
  w.raw(s.data).pad4(); // Packet Data, padded
  return block(order, BT_SPB, w.bytes(), s.overrides);
}

export interface PbSpec {
  ifId: number;
  drops?: number;
  ts: bigint;
  data: Uint8Array;
  wireLen?: number;
  options?: NgOption[];
}

/** Obsolete Packet Block (type 2), still written by old tools. */
export function pb(order: ByteOrder, s: PbSpec): Uint8Array {
  const t = BigInt.asUintN(64, s.ts);
  const w = new Bytes(order);
  w.u16(s.ifId); // Interface ID (16 bits here)
  w.u16(s.drops ?? 0); // Drops Count
  w.u32(Number(t >> 32n)); // Timestamp (High)
  w.u32(Number(t & 0xffffffffn)); // Timestamp (Low)
  w.u32(s.data.length); // Captured Len
  w.u32(s.wireLen ?? s.data.length); // Packet Len
  w.raw(s.data).pad4(); // Packet Data
  w.raw(optionsBytes(order, s.options ?? []));
  return block(order, BT_PB, w.bytes());
}

/** Custom block (0x0BAD copyable, 0x40000BAD not): PEN u32 then opaque data. */
export function customBlock(order: ByteOrder, s: { copy?: boolean; pen?: number; data?: Uint8Array } = {}): Uint8Array {
  const w = new Bytes(order);
  w.u32(s.pen ?? 32473); // Private Enterprise Number (32473 = IANA example)
  w.raw(s.data ?? Uint8Array.of(1, 2, 3, 4, 5)).pad4(); // Custom Data
  return block(order, s.copy === false ? BT_CUSTOM_NOCOPY : BT_CUSTOM, w.bytes());
}

/** Name Resolution Block with one IPv4 record, to have a real skippable block. */
export function nrb(order: ByteOrder, ip: readonly [number, number, number, number], name: string): Uint8Array {
  const nameBytes = new TextEncoder().encode(name + '\0');
  const w = new Bytes(order);
  w.u16(1); // Record Type: nrb_record_ipv4
  w.u16(4 + nameBytes.length); // Record Value Length
  w.raw(ip).raw(nameBytes).pad4(); // address, then zero-terminated name
  w.u16(0).u16(0); // nrb_record_end
  return block(order, BT_NRB, w.bytes());
}

/** Interface Statistics Block with no options (another block the reader skips). */
export function isb(order: ByteOrder, ifId: number, ts: bigint): Uint8Array {
  const t = BigInt.asUintN(64, ts);
  const w = new Bytes(order);
  w.u32(ifId); // Interface ID
  w.u32(Number(t >> 32n)); // Timestamp (High)
  w.u32(Number(t & 0xffffffffn)); // Timestamp (Low)
  return block(order, BT_ISB, w.bytes());
}
