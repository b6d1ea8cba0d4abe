/**
 * Classic libpcap files.
 *
 * Global header (24 bytes), in the writer's byte order:
 *   magic u32 | version_major u16 | version_minor u16 | thiszone i32 | sigfigs u32 | snaplen u32 | linktype u32
 * Record header (16 bytes):
 *   ts_sec u32 | ts_usec u32 (ns with the nanosecond magic) | incl_len u32 | orig_len u32
 *
 * Magic a1b2c3d4 is microseconds, a1b23c4d nanoseconds; read byte-swapped they
 * tell a little-endian writer. The link-type field carries FCS bits in 26-31
 * (accepted, as libpcap does) and reserved bits 16-25 that must be zero.
 *
 * Before version 2.3 the record header had orig_len before incl_len (and some
 * 2.3 writers kept that order), so, as libpcap and Wireshark do, 2.0-2.2 swap
 * the two and 2.3 swaps them when incl_len > orig_len.
 */
import { u16, u32, view } from '../bytes.js';
import { CaptureFormatError } from './errors.js';
import { maxCapLenFor } from './limits.js';
import { CaptureRecord, type CaptureInterface, type RecordSink } from './record.js';
import type { FormatParser } from './stream.js';

export const PCAP_MAGIC_US = 0xa1b2c3d4;
export const PCAP_MAGIC_NS = 0xa1b23c4d;

const LENGTHS_IN_ORDER = 0;
const LENGTHS_SWAPPED = 1;
const LENGTHS_MAYBE_SWAPPED = 2;

export class PcapParser implements FormatParser {
  readonly format = 'pcap' as const;
  readonly interfaces: CaptureInterface[] = [];
  need = 24;
  packets = 0;
  littleEndian = false;
  nanosecond = false;
  versionMajor = 0;
  versionMinor = 0;
  /** incl_len/orig_len order: LENGTHS_IN_ORDER, LENGTHS_SWAPPED or LENGTHS_MAYBE_SWAPPED. */
  lengths = LENGTHS_IN_ORDER;
  private headerDone = false;
  private maxCapLen = 0;
  private readonly rec = new CaptureRecord();

  constructor(private readonly sink: RecordSink) {}

  parse(b: Uint8Array, start: number, end: number, base: number): number {
    let p = start;
    if (!this.headerDone) {
      if (end - p < 24) {
        this.need = 24;
        return p;
      }
      this.parseHeader(b, p, base + p);
      p += 24;
    }
    const le = this.littleEndian;
    const rec = this.rec;
    const fracScale = this.nanosecond ? 1 : 1000;
    const maxCapLen = this.maxCapLen;
    const lengths = this.lengths;
    // The record header's words through a DataView (inlined loads): a timestamp after 2038
    // (2^31 seconds) returned from a call V8 did not inline was a heap number per packet.
    const dv = view(b);
    rec.buf = b;
    while (true) {
      if (end - p < 16) {
        this.need = 16;
        return p;
      }
      let capLen = dv.getUint32(p + 8, le);
      let wireLen = dv.getUint32(p + 12, le);
      if (lengths !== LENGTHS_IN_ORDER && (lengths === LENGTHS_SWAPPED || capLen > wireLen)) {
        const t = capLen;
        capLen = wireLen;
        wireLen = t;
      }
      if (capLen > maxCapLen) {
        throw new CaptureFormatError(
          'record_too_large',
          `pcap record claims ${capLen} captured bytes, more than the ${maxCapLen} any capture tool writes (corrupt record header)`,
          base + p,
          this.packets + 1,
        );
      }
      if (end - p < 16 + capLen) {
        this.need = 16 + capLen;
        return p;
      }
      let sec = dv.getUint32(p, le);
      let frac = dv.getUint32(p + 4, le) * fracScale;
      if (frac >= 1e9) {
        // Writers that overflow the fraction field: carry into seconds rather than print x.1000000.
        sec += Math.floor(frac / 1e9);
        frac %= 1e9;
      }
      rec.index = ++this.packets;
      rec.fileOffset = base + p;
      rec.tsSec = sec;
      rec.tsNsec = frac;
      rec.capLen = capLen;
      rec.wireLen = wireLen;
      rec.offset = p + 16;
      p += 16 + capLen;
      this.sink(rec);
    }
  }

  private parseHeader(b: Uint8Array, p: number, offset: number): void {
    const magicBE = u32(b, p, false);
    const magicLE = u32(b, p, true);
    if (magicBE === PCAP_MAGIC_US || magicBE === PCAP_MAGIC_NS) {
      this.littleEndian = false;
      this.nanosecond = magicBE === PCAP_MAGIC_NS;
    } else if (magicLE === PCAP_MAGIC_US || magicLE === PCAP_MAGIC_NS) {
      this.littleEndian = true;
      this.nanosecond = magicLE === PCAP_MAGIC_NS;
    } else {
      throw new CaptureFormatError('not_a_capture', 'not a pcap file (bad magic)', offset, 1);
    }
    const le = this.littleEndian;
    this.versionMajor = u16(b, p + 4, le);
    this.versionMinor = u16(b, p + 6, le);
    // 2.x only; minor versions other than 4 exist in the wild (2.1 from old writers).
    if (this.versionMajor !== 2) {
      throw new CaptureFormatError(
        'unsupported_version',
        `pcap version ${this.versionMajor}.${this.versionMinor} is not supported (only 2.x)`,
        offset + 4,
        1,
      );
    }
    const minor = this.versionMinor;
    this.lengths = minor < 3 ? LENGTHS_SWAPPED : minor === 3 ? LENGTHS_MAYBE_SWAPPED : LENGTHS_IN_ORDER;
    const snapLen = u32(b, p + 16, le);
    const linkField = u32(b, p + 20, le);
    if ((linkField & 0x03ff0000) !== 0) {
      throw new CaptureFormatError(
        'bad_header',
        `pcap link-type field 0x${linkField.toString(16).padStart(8, '0')} has reserved bits set`,
        offset + 20,
        1,
      );
    }
    const linkType = linkField & 0xffff;
    this.maxCapLen = maxCapLenFor(snapLen);
    this.interfaces.push({
      id: 0,
      linkType,
      name: null,
      description: null,
      snapLen,
      tsUnitsPerSecond: this.nanosecond ? 1e9 : 1e6,
      section: 0,
    });
    this.rec.linkType = linkType;
    this.rec.interfaceId = 0;
    this.rec.iface = this.interfaces[0]!;
    this.headerDone = true;
  }
}
