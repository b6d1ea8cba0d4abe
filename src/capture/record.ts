/** Interfaces and records as the capture readers deliver them. */

export type CaptureFormat = 'pcap' | 'pcapng';

export interface CaptureInterface {
  /** Index across the whole file (pcapng sections are numbered one after another). */
  id: number;
  linkType: number;
  /** `if_name` where the file has one (pcapng), else null. */
  name: string | null;
  description: string | null;
  snapLen: number;
  /** Timestamp units per second (1e6 for microseconds, 1e9 for nanoseconds, 256 for 2^-8). */
  tsUnitsPerSecond: number;
  /** pcapng section the interface belongs to (0 for classic pcap). */
  section: number;
}

export const DIRECTION_UNKNOWN = 0;
export const DIRECTION_IN = 1;
export const DIRECTION_OUT = 2;

const EMPTY = new Uint8Array(0);

/**
 * One captured packet. The reader reuses a single instance: every field, and
 * the bytes behind `buf`, are valid only until the next record is delivered.
 * Packet bytes are `buf[offset, offset + capLen)`; reading them there (rather
 * than through `data`) costs no allocation.
 */
export class CaptureRecord {
  /** Frame number, 1-based, counting packets only (as tcpdump and capinfos do). */
  index = 0;
  /** Byte offset of the record's header in the (decompressed) capture stream. */
  fileOffset = 0;
  tsSec = 0;
  tsNsec = 0;
  capLen = 0;
  wireLen = 0;
  linkType = 0;
  interfaceId = 0;
  /** The interface the packet was captured on (shared object, never copied). */
  iface: CaptureInterface | null = null;
  /** From pcapng `epb_flags` when present; SLL/SLL2 direction is the decoder's. */
  direction = DIRECTION_UNKNOWN;
  buf: Uint8Array = EMPTY;
  offset = 0;

  /** A view of the packet bytes (allocates a view object; fine off the hot path). */
  get data(): Uint8Array {
    return this.buf.subarray(this.offset, this.offset + this.capLen);
  }
}

export type RecordSink = (record: CaptureRecord) => void;
