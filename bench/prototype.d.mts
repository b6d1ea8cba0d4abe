/** Types for prototype.mjs (its test imports it). */
export interface PrototypeResult {
  packets: number;
  /** File bytes consumed: global header, record headers and packet data. */
  bytes: number;
  /** Entries of the table: distinct (outer source, outer destination, inner source, inner destination). */
  pairs: number;
  /** Packets with an inner IPv4 header (IPIP, or VXLAN on UDP 4789). */
  tunnelled: number;
  /** Packets whose key did not fit the table. */
  folded: number;
  /** Entry e: key words keys[4e..4e+3] (addresses as signed 32-bit numbers; inner 0, 0 when none), its packets and wire bytes. */
  table: { keys: Int32Array; packetsOf: Float64Array; bytesOf: Float64Array };
}

export function prototypePcap(file: string): PrototypeResult;
