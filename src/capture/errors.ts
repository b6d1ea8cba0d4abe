/**
 * Damage to a capture file's structure. Damage inside a packet is never an
 * exception (the decoder marks the packet); this is for the container: bad
 * magic, impossible lengths, a record cut short at the end of the file.
 *
 * Everything read before the damage has already been delivered when this is
 * raised, so callers report what they have and then this error.
 */
export type CaptureErrorCode =
  | 'not_a_capture'
  | 'empty'
  | 'unsupported_version'
  | 'bad_header'
  | 'bad_block_length'
  | 'record_too_large'
  | 'bad_option'
  | 'bad_interface'
  | 'truncated_tail'
  | 'gzip'
  | 'io';

export class CaptureFormatError extends Error {
  override readonly name = 'CaptureFormatError';
  constructor(
    readonly code: CaptureErrorCode,
    readonly detail: string,
    /** Byte offset in the (decompressed) capture stream where the damage starts. */
    readonly offset: number,
    /** Frame number of the packet that could not be read (packets read before it + 1). */
    readonly packet: number,
    public file: string = '',
  ) {
    super();
  }

  /** One line for a human: what, where (file, byte offset, packet number). */
  override get message(): string {
    if ((this.code === 'io' || this.code === 'empty' || this.code === 'not_a_capture') && this.offset === 0) return `${this.file ? this.file + ': ' : ''}${this.detail}`;
    return `${this.file ? this.file + ': ' : ''}${this.detail} (byte offset ${this.offset}, packet ${this.packet})`;
  }

  /** A truncated tail is what a killed tcpdump leaves: everything before it is sound. */
  get isTruncatedTail(): boolean {
    return this.code === 'truncated_tail';
  }
}
