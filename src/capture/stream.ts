/**
 * Push-based framing shared by the format readers: bytes arrive in chunks of
 * any size and records come out synchronously, identical however the input is
 * split. A parser consumes whole records from one contiguous buffer and says
 * how many bytes it needs to make progress; only the unconsumed tail is kept,
 * and tail pieces are joined once, when enough have arrived (no quadratic
 * re-buffering when a large record trickles in byte by byte).
 */
import { CaptureFormatError } from './errors.js';
import type { CaptureFormat, CaptureInterface, RecordSink } from './record.js';
import { PcapParser, PCAP_MAGIC_NS, PCAP_MAGIC_US } from './pcap.js';
import { PcapngParser, PCAPNG_SHB } from './pcapng.js';
import { u32be, u32le } from '../bytes.js';

export interface FormatParser {
  readonly format: CaptureFormat;
  readonly interfaces: CaptureInterface[];
  /** Bytes needed from the first unconsumed byte before parse can progress. */
  need: number;
  /** Packets delivered so far. */
  packets: number;
  /** Consume whole records from b[start, end); `base` is the stream offset of b[0]. */
  parse(b: Uint8Array, start: number, end: number, base: number): number;
}

export type DetectedFormat = CaptureFormat | 'gzip' | 'unknown';

/** Tell the container from its first bytes (at least 4). Never from the file name. */
export function detectFormat(b: Uint8Array): DetectedFormat {
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length < 4) return 'unknown';
  const be = u32be(b, 0);
  const le = u32le(b, 0);
  if (be === PCAP_MAGIC_US || be === PCAP_MAGIC_NS || le === PCAP_MAGIC_US || le === PCAP_MAGIC_NS) return 'pcap';
  if (be === PCAPNG_SHB) return 'pcapng';
  return 'unknown';
}

/** Bytes describeUnknown looks at. */
const DESCRIBE_BYTES = 64;

function describeUnknown(b: Uint8Array): string {
  const head = Array.from(b.subarray(0, 4), (x) => x.toString(16).padStart(2, '0')).join(' ');
  if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) {
    return 'zstd-compressed data; decompress it first (zstd -d) or capture to pcap/pcapng';
  }
  if (be32(b) === 0xa1b2cd34 || u32le(b, 0) === 0xa1b2cd34) {
    return 'a Kuznetzov-modified pcap, which podpath does not read; convert it with editcap -F pcap';
  }
  const printable = Array.from(b.subarray(0, Math.min(b.length, DESCRIBE_BYTES))).every((x) => x === 9 || x === 10 || x === 13 || (x >= 32 && x < 127));
  if (printable) return `text, not a capture (starts ${JSON.stringify(new TextDecoder().decode(b.subarray(0, 24)))}); did tcpdump print instead of writing with -w?`;
  return `not a pcap or pcapng capture (first bytes ${head})`;
}

function be32(b: Uint8Array): number {
  return b.length >= 4 ? u32be(b, 0) : 0;
}

/**
 * Feeds chunks to the right format parser. Errors are kept, not thrown past
 * the caller's loop: `error` holds the first structural damage, after which
 * input is ignored; every record before it has been delivered.
 */
export class CaptureStream {
  parser: FormatParser | null = null;
  error: CaptureFormatError | null = null;
  /** Bytes of capture data seen (after decompression). */
  bytesIn = 0;
  private pending: Uint8Array[] = [];
  private pendingLen = 0;
  /** Stream offset of the first pending byte. */
  private pendingBase = 0;
  private need = 4;
  private ended = false;

  constructor(private readonly sink: RecordSink, private readonly file = '') {}

  get format(): CaptureFormat | null {
    return this.parser?.format ?? null;
  }

  get interfaces(): CaptureInterface[] {
    return this.parser?.interfaces ?? [];
  }

  get packets(): number {
    return this.parser?.packets ?? 0;
  }

  /** Bytes held back for an incomplete record (what streaming must keep small). */
  get pendingBytes(): number {
    return this.pendingLen;
  }

  push(chunk: Uint8Array): void {
    if (this.error || this.ended || chunk.length === 0) return;
    this.bytesIn += chunk.length;
    let off = 0;
    // Complete the pending record with just the bytes it lacks: joining the
    // tail with the whole new chunk would copy every byte of the capture once more.
    while (this.pendingLen > 0) {
      const want = this.need - this.pendingLen;
      const left = chunk.length - off;
      if (want > left) {
        this.pending.push(copyOf(chunk, off));
        this.pendingLen += left;
        return;
      }
      this.pending.push(chunk.subarray(off, off + want));
      off += want;
      const joined = Buffer.concat(this.pending, this.pendingLen + want);
      this.pending = [];
      this.pendingLen = 0;
      this.run(joined);
      if (this.error) return;
    }
    if (off < chunk.length) this.run(off === 0 ? chunk : chunk.subarray(off));
  }

  /** Call at end of input; reports a cut-short tail or an empty input. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.error) return;
    if (!this.parser) {
      const got = this.pendingLen;
      this.fail(
        got === 0
          ? new CaptureFormatError('empty', 'empty input: no capture data', 0, 1)
          : got < 4
            ? new CaptureFormatError('not_a_capture', `only ${got} bytes: too short to be a capture`, 0, 1)
            : new CaptureFormatError('not_a_capture', describeUnknown(Buffer.concat(this.pending, got)), 0, 1),
      );
      return;
    }
    if (this.pendingLen > 0) {
      const p = this.parser;
      const what = p.packets === 0 && this.pendingBase === 0 ? 'file header' : 'record';
      this.fail(
        new CaptureFormatError(
          'truncated_tail',
          `capture ends inside a ${what}: ${this.pendingLen} of ${p.need} bytes present (cut short, e.g. tcpdump killed or file still being written)`,
          this.pendingBase,
          p.packets + 1,
        ),
      );
    }
  }

  private run(b: Uint8Array): void {
    const base = this.pendingBase;
    let consumed = 0;
    try {
      if (!this.parser) {
        if (b.length < 4) {
          this.keep(b, 0, base);
          return;
        }
        const kind = detectFormat(b);
        if (kind === 'pcap') this.parser = new PcapParser(this.sink);
        else if (kind === 'pcapng') this.parser = new PcapngParser(this.sink);
        else if (kind === 'gzip') {
          throw new CaptureFormatError('not_a_capture', 'gzip data inside the capture stream (compressed twice?)', base, 1);
        } else if (b.length < DESCRIBE_BYTES) {
          // describeUnknown looks at up to 64 bytes: wait for them (or the end)
          // so the message does not depend on how the input was chunked.
          this.need = DESCRIBE_BYTES;
          this.keep(b, 0, base);
          return;
        } else throw new CaptureFormatError('not_a_capture', describeUnknown(b), base, 1);
      }
      consumed = this.parser.parse(b, 0, b.length, base);
      this.need = this.parser.need;
    } catch (e) {
      if (e instanceof CaptureFormatError) {
        this.fail(e);
        return;
      }
      throw e;
    }
    this.keep(b, consumed, base);
  }

  private keep(b: Uint8Array, from: number, base: number): void {
    this.pendingBase = base + from;
    if (from < b.length) {
      this.pending.push(copyOf(b, from));
      this.pendingLen = b.length - from;
    }
  }

  private fail(e: CaptureFormatError): void {
    e.file = this.file;
    this.error = e;
    this.pending = [];
    this.pendingLen = 0;
  }
}

/**
 * The unconsumed tail, copied: a caller may reuse its chunk buffer once push()
 * returns (the file reader does), so nothing kept may point into it. Tails
 * are shorter than one record, so the copy is cheap.
 */
function copyOf(b: Uint8Array, from: number): Uint8Array {
  return new Uint8Array(b.subarray(from));
}
