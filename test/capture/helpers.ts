/**
 * Shared plumbing for the reader tests: feed bytes to a CaptureStream in a
 * chosen chunking and reduce what comes out to plain, comparable data.
 */
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { CaptureFormatError } from '../../src/capture/errors.js';
import type { CaptureInterface, CaptureRecord } from '../../src/capture/record.js';
import { readCaptureStream, type CaptureSummary } from '../../src/capture/source.js';
import { CaptureStream } from '../../src/capture/stream.js';

export const FIXTURES = 'test/fixtures/captures';

export function fixture(rel: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, rel)));
}

/** Every capture file under test/fixtures/captures (relative paths), excluding expected/ and info/. */
export function fixtureFiles(): string[] {
  const out: string[] = [];
  for (const dir of readdirSync(FIXTURES)) {
    if (dir === 'expected' || dir === 'info') continue;
    const abs = join(FIXTURES, dir);
    if (!statSync(abs).isDirectory()) continue;
    for (const f of readdirSync(abs).sort()) out.push(`${dir}/${f}`);
  }
  return out;
}

/** Everything a record says, as plain data (the record object itself is reused). */
export interface RecordDigest {
  index: number;
  fileOffset: number;
  tsSec: number;
  tsNsec: number;
  capLen: number;
  wireLen: number;
  linkType: number;
  interfaceId: number;
  ifaceName: string | null;
  direction: number;
  /** Packet bytes: hex when short, else a SHA-256. */
  bytes: string;
}

export function digest(r: CaptureRecord): RecordDigest {
  const data = r.buf.subarray(r.offset, r.offset + r.capLen);
  return {
    index: r.index,
    fileOffset: r.fileOffset,
    tsSec: r.tsSec,
    tsNsec: r.tsNsec,
    capLen: r.capLen,
    wireLen: r.wireLen,
    linkType: r.linkType,
    interfaceId: r.interfaceId,
    ifaceName: r.iface?.name ?? null,
    direction: r.direction,
    bytes: data.length <= 64 ? Buffer.from(data).toString('hex') : createHash('sha256').update(data).digest('hex'),
  };
}

export interface ErrorDigest {
  code: string;
  offset: number;
  packet: number;
  message: string;
}

export function errorDigest(e: CaptureFormatError | null): ErrorDigest | null {
  return e && { code: e.code, offset: e.offset, packet: e.packet, message: e.message };
}

export interface ReadResult {
  records: RecordDigest[];
  error: ErrorDigest | null;
  packets: number;
  format: string | null;
  interfaces: CaptureInterface[];
}

/**
 * Copies `src[from, to)` into a fresh buffer at a non-zero byteOffset with
 * junk around it, so a reader that looks at `.buffer` without `.byteOffset`,
 * or past the end of its view, reads garbage and fails loudly.
 */
function hostileCopy(src: Uint8Array, from: number, to: number): Uint8Array {
  const n = to - from;
  const backing = new Uint8Array(n + 6).fill(0xee);
  backing.set(src.subarray(from, to), 3);
  return backing.subarray(3, 3 + n);
}

/** Split into chunks whose sizes cycle through `sizes` (any size 0 is skipped as a size of 1). */
export function chunk(bytes: Uint8Array, sizes: readonly number[] | 'whole'): Uint8Array[] {
  if (sizes === 'whole') return [hostileCopy(bytes, 0, bytes.length)];
  const out: Uint8Array[] = [];
  let p = 0;
  let i = 0;
  while (p < bytes.length) {
    const n = Math.max(1, sizes[i++ % sizes.length]!);
    out.push(hostileCopy(bytes, p, Math.min(bytes.length, p + n)));
    p += n;
  }
  return out;
}

/** Read synchronously through CaptureStream.push, in the given chunking. */
export function readBytes(bytes: Uint8Array, sizes: readonly number[] | 'whole' = 'whole', file = 'test.pcap'): ReadResult {
  const records: RecordDigest[] = [];
  const s = new CaptureStream((r) => records.push(digest(r)), file);
  for (const c of chunk(bytes, sizes)) s.push(c);
  s.end();
  return { records, error: errorDigest(s.error), packets: s.packets, format: s.format, interfaces: s.interfaces };
}

/** Read through the async path (readCaptureStream over a Readable of chunks). */
export async function readAsync(
  bytes: Uint8Array,
  sizes: readonly number[] | 'whole' = 'whole',
  file = 'test.pcap',
): Promise<ReadResult & { summary: CaptureSummary }> {
  const records: RecordDigest[] = [];
  const summary = await readCaptureStream(Readable.from(chunk(bytes, sizes)), file, (r) => records.push(digest(r)));
  return {
    records,
    error: errorDigest(summary.error),
    packets: summary.packets,
    format: summary.format,
    interfaces: summary.interfaces,
    summary,
  };
}

/** The message names the file, the byte offset and the packet number. */
export function expectLocatedMessage(e: ErrorDigest | null, file: string): void {
  expect(e).not.toBeNull();
  expect(e!.message.startsWith(`${file}: `)).toBe(true);
  expect(e!.message).toContain(`(byte offset ${e!.offset}, packet ${e!.packet})`);
}

/** Comparable form of a result: records and error, without the interface objects. */
export function comparable(r: ReadResult): { records: RecordDigest[]; error: ErrorDigest | null; packets: number } {
  return { records: r.records, error: r.error, packets: r.packets };
}
