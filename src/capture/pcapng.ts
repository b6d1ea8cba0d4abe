/**
 * pcapng (draft-ietf-opsawg-pcapng). Every block:
 *   block_type u32 | block_total_length u32 | body ... | block_total_length u32
 * in the byte order its section's SHB declares with the byte-order magic
 * 0x1A2B3C4D. A file may hold several sections, each with its own byte order
 * and its own interfaces; interface ids here run across the whole file.
 *
 * SHB  0x0A0D0D0A: bom u32 | major u16 | minor u16 | section_length i64 | options
 * IDB  0x00000001: linktype u16 | reserved u16 | snaplen u32 | options (if_name 2, if_description 3, if_tsresol 9, if_tsoffset 14)
 * EPB  0x00000006: if_id u32 | ts_hi u32 | ts_lo u32 | caplen u32 | origlen u32 | data (padded to 4) | options (epb_flags 2)
 * SPB  0x00000003: origlen u32 | data (caplen = min(origlen, snaplen of interface 0, what the block holds))
 * PB   0x00000002: if_id u16 | drops u16 | ts_hi u32 | ts_lo u32 | caplen u32 | len u32 | data | options (obsolete)
 * Anything else (NRB, ISB, DSB, custom, ...) is skipped by its length.
 */
import { i32, u16, u32, u32be, view } from '../bytes.js';
import { CaptureFormatError } from './errors.js';
import { MAX_BLOCK_LENGTH } from './limits.js';
import {
  CaptureRecord,
  DIRECTION_IN,
  DIRECTION_OUT,
  DIRECTION_UNKNOWN,
  type CaptureInterface,
  type RecordSink,
} from './record.js';
import type { FormatParser } from './stream.js';
import { MICROSECONDS, splitTimestamp, ts, tsResolution, type TsResolution } from './time.js';

export const PCAPNG_SHB = 0x0a0d0d0a;
const BOM = 0x1a2b3c4d;
const IDB = 1;
const PB = 2;
const SPB = 3;
const EPB = 6;

interface SectionInterface {
  global: CaptureInterface;
  res: TsResolution;
  tsOffset: number;
}

const decoder = new TextDecoder('utf-8', { fatal: false });

export class PcapngParser implements FormatParser {
  readonly format = 'pcapng' as const;
  readonly interfaces: CaptureInterface[] = [];
  /** Every section's byte order, in file order (true = little-endian). */
  readonly sectionByteOrders: boolean[] = [];
  need = 12;
  packets = 0;
  /** Blocks of types podpath skips (NRB, ISB, custom, ...), counted. */
  skippedBlocks = 0;
  private le = false;
  private inSection = false;
  private section: SectionInterface[] = [];
  private readonly rec = new CaptureRecord();

  constructor(private readonly sink: RecordSink) {}

  parse(b: Uint8Array, start: number, end: number, base: number): number {
    let p = start;
    const rec = this.rec;
    rec.buf = b;
    // Block and record words through a DataView (inlined loads, as the pcap reader's).
    const dv = view(b);
    while (true) {
      const avail = end - p;
      if (avail < 12) {
        this.need = 12;
        return p;
      }
      let type = dv.getUint32(p, this.le);
      if (u32be(b, p) === PCAPNG_SHB) {
        type = PCAPNG_SHB;
        const bom = u32(b, p + 8, true);
        if (bom === BOM) this.le = true;
        else if (u32(b, p + 8, false) === BOM) this.le = false;
        else throw this.err('bad_header', 'pcapng section header has no byte-order magic', base + p + 8);
      } else if (!this.inSection) {
        throw this.err('bad_header', 'pcapng data before the first section header block', base + p);
      }
      const le = this.le;
      const len = dv.getUint32(p + 4, le);
      if (len < 12 || len % 4 !== 0 || len > MAX_BLOCK_LENGTH) {
        throw this.err(
          'bad_block_length',
          `pcapng block of type 0x${type.toString(16)} claims length ${len} (must be a multiple of 4 from 12 to ${MAX_BLOCK_LENGTH})`,
          base + p + 4,
        );
      }
      if (avail < len) {
        this.need = len;
        return p;
      }
      const trailer = dv.getUint32(p + len - 4, le);
      if (trailer !== len) {
        throw this.err(
          'bad_block_length',
          `pcapng block lengths disagree: ${len} at the start, ${trailer} at the end`,
          base + p + len - 4,
        );
      }
      const body = p + 8;
      const bodyEnd = p + len - 4;
      switch (type) {
        case PCAPNG_SHB:
          this.sectionHeader(b, body, bodyEnd, base);
          break;
        case IDB:
          this.interfaceDescription(b, body, bodyEnd, base);
          break;
        case EPB:
          this.enhancedPacket(b, dv, body, bodyEnd, base, p);
          break;
        case SPB:
          this.simplePacket(b, body, bodyEnd, base, p);
          break;
        case PB:
          this.obsoletePacket(b, body, bodyEnd, base, p);
          break;
        default:
          this.skippedBlocks++;
      }
      p += len;
    }
  }

  private err(code: CaptureFormatError['code'], detail: string, offset: number): CaptureFormatError {
    return new CaptureFormatError(code, detail, offset, this.packets + 1);
  }

  private sectionHeader(b: Uint8Array, body: number, end: number, base: number): void {
    if (end - body < 16) throw this.err('bad_header', 'pcapng section header block too short', base + body);
    const major = u16(b, body + 4, this.le);
    const minor = u16(b, body + 6, this.le);
    if (major !== 1) {
      throw this.err('unsupported_version', `pcapng section version ${major}.${minor} is not supported (only 1.x)`, base + body + 4);
    }
    this.forEachOption(b, body + 16, end, base, () => {});
    this.inSection = true;
    this.section = [];
    this.sectionByteOrders.push(this.le);
  }

  private interfaceDescription(b: Uint8Array, body: number, end: number, base: number): void {
    if (end - body < 8) throw this.err('bad_header', 'pcapng interface description block too short', base + body);
    const le = this.le;
    const iface: CaptureInterface = {
      id: this.interfaces.length,
      linkType: u16(b, body, le),
      name: null,
      description: null,
      snapLen: u32(b, body + 4, le),
      tsUnitsPerSecond: 1e6,
      section: this.sectionByteOrders.length - 1,
    };
    let res = MICROSECONDS;
    let tsOffset = 0;
    this.forEachOption(b, body + 8, end, base, (code, o, olen) => {
      if (code === 2) iface.name = text(b, o, olen);
      else if (code === 3) iface.description = text(b, o, olen);
      else if (code === 9 && olen >= 1) {
        const r = tsResolution(b[o]!);
        if (!r) throw this.err('bad_option', `unsupported if_tsresol 0x${b[o]!.toString(16)}`, base + o);
        res = r;
      } else if (code === 14 && olen >= 8) {
        // i64 seconds; the high word only matters for offsets beyond 68 years.
        const hiWord = le ? u32(b, o + 4, le) | 0 : u32(b, o, le) | 0;
        const loWord = le ? u32(b, o, le) : u32(b, o + 4, le);
        tsOffset = hiWord * 0x100000000 + loWord;
      }
    });
    iface.tsUnitsPerSecond = res.units;
    this.interfaces.push(iface);
    this.section.push({ global: iface, res, tsOffset });
  }

  private enhancedPacket(b: Uint8Array, dv: DataView, body: number, end: number, base: number, blockStart: number): void {
    if (end - body < 20) throw this.err('bad_header', 'pcapng enhanced packet block too short', base + body);
    const le = this.le;
    const ifId = dv.getUint32(body, le);
    const capLen = dv.getUint32(body + 12, le);
    if (capLen > end - body - 20) {
      throw this.err('record_too_large', `pcapng packet claims ${capLen} captured bytes but its block holds ${end - body - 20}`, base + body + 12);
    }
    const si = this.iface(ifId, base + body);
    splitTimestamp(dv.getUint32(body + 4, le), dv.getInt32(body + 8, le), si.res);
    const rec = this.rec;
    rec.direction = DIRECTION_UNKNOWN;
    const optStart = body + 20 + pad4(capLen);
    if (optStart + 4 <= end) this.packetFlags(b, optStart, end);
    this.deliver(si, blockStart, base, capLen, dv.getUint32(body + 16, le), body + 20);
  }

  private simplePacket(b: Uint8Array, body: number, end: number, base: number, blockStart: number): void {
    if (end - body < 4) throw this.err('bad_header', 'pcapng simple packet block too short', base + body);
    const si = this.iface(0, base + body);
    const wireLen = u32(b, body, this.le);
    let capLen = Math.min(wireLen, end - body - 4);
    if (si.global.snapLen > 0) capLen = Math.min(capLen, si.global.snapLen);
    // SPBs carry no timestamp.
    ts.sec = 0;
    ts.nsec = 0;
    this.rec.direction = DIRECTION_UNKNOWN;
    this.deliver(si, blockStart, base, capLen, wireLen, body + 4);
  }

  private obsoletePacket(b: Uint8Array, body: number, end: number, base: number, blockStart: number): void {
    if (end - body < 20) throw this.err('bad_header', 'pcapng packet block too short', base + body);
    const le = this.le;
    const capLen = u32(b, body + 12, le);
    if (capLen > end - body - 20) {
      throw this.err('record_too_large', `pcapng packet claims ${capLen} captured bytes but its block holds ${end - body - 20}`, base + body + 12);
    }
    const si = this.iface(u16(b, body, le), base + body);
    splitTimestamp(u32(b, body + 4, le), i32(b, body + 8, le), si.res);
    this.rec.direction = DIRECTION_UNKNOWN;
    this.deliver(si, blockStart, base, capLen, u32(b, body + 16, le), body + 20);
  }

  private deliver(si: SectionInterface, blockStart: number, base: number, capLen: number, wireLen: number, dataOffset: number): void {
    const rec = this.rec;
    rec.index = ++this.packets;
    rec.fileOffset = base + blockStart;
    rec.tsSec = ts.sec + si.tsOffset;
    rec.tsNsec = ts.nsec;
    rec.capLen = capLen;
    rec.wireLen = wireLen;
    rec.linkType = si.global.linkType;
    rec.interfaceId = si.global.id;
    rec.iface = si.global;
    rec.offset = dataOffset;
    this.sink(rec);
  }

  private iface(sectionId: number, offset: number): SectionInterface {
    const si = this.section[sectionId];
    if (!si) {
      throw this.err(
        'bad_interface',
        `pcapng packet refers to interface ${sectionId}, but its section describes ${this.section.length}`,
        offset,
      );
    }
    return si;
  }

  /** epb_flags (option 2), bits 0-1: 1 inbound, 2 outbound. Options here are read leniently. */
  private packetFlags(b: Uint8Array, o: number, end: number): void {
    const le = this.le;
    for (let guard = 0; o + 4 <= end && guard < 64; guard++) {
      const code = u16(b, o, le);
      const olen = u16(b, o + 2, le);
      if (code === 0 || o + 4 + olen > end) return;
      if (code === 2 && olen >= 4) {
        const dir = u32(b, o + 4, le) & 3;
        this.rec.direction = dir === 1 ? DIRECTION_IN : dir === 2 ? DIRECTION_OUT : DIRECTION_UNKNOWN;
        return;
      }
      o += 4 + pad4(olen);
    }
  }

  private forEachOption(
    b: Uint8Array,
    o: number,
    end: number,
    base: number,
    fn: (code: number, valueOffset: number, valueLength: number) => void,
  ): void {
    const le = this.le;
    while (o + 4 <= end) {
      const code = u16(b, o, le);
      const olen = u16(b, o + 2, le);
      if (code === 0) return;
      if (o + 4 + olen > end) {
        throw this.err('bad_option', `pcapng option ${code} claims ${olen} bytes, past the end of its block`, base + o);
      }
      fn(code, o + 4, olen);
      o += 4 + pad4(olen);
    }
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

function text(b: Uint8Array, o: number, len: number): string {
  let e = o + len;
  while (e > o && b[e - 1] === 0) e--;
  return decoder.decode(b.subarray(o, e));
}
