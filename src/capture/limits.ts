/**
 * Caps on lengths read from untrusted files, checked before anything is
 * buffered. libpcap and Wireshark refuse packets over 256 KiB
 * (WTAP_MAX_PACKET_SIZE_STANDARD, libpcap's MAXIMUM_SNAPLEN); a file whose
 * snaplen says it captured more may go up to MAX_CAPLEN_HARD.
 */
export const MAX_CAPLEN_STANDARD = 262_144;
export const MAX_CAPLEN_HARD = 4 * 1024 * 1024;
/** A pcapng block larger than this is damage, not data. */
export const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

export function maxCapLenFor(snapLen: number): number {
  return Math.max(MAX_CAPLEN_STANDARD, Math.min(snapLen, MAX_CAPLEN_HARD));
}
