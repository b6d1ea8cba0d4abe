/**
 * Hostile chunking: however the bytes are split, the reader must deliver the
 * same records (index, offset, timestamp, lengths, interface, bytes) and the
 * same error. Checked through CaptureStream.push directly, through
 * readCaptureStream (the async path), and through gzip.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { readCapture, readCaptureStream } from '../../src/capture/source.js';
import { block, concat, epb, idb, payload, pcapFile, shb } from './build.js';
import { chunk, comparable, digest, errorDigest, fixture, readAsync, readBytes, type RecordDigest } from './helpers.js';
import { multiSection, smallPcap, smallPcapBeNs, smallPcapng } from './samples.js';

const FIXED_PATTERNS: (number[] | 'whole')[] = [[1], [2], [3], [7], [13], [1, 2, 3, 7, 13], [13, 1, 1, 7], [5, 4096], [65536], 'whole'];

/** Chunk-size sequences: mostly tiny, sometimes large, sometimes one huge chunk. */
const chunkSizes = fc.array(fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 16 }) }, { weight: 3, arbitrary: fc.integer({ min: 17, max: 600 }) }, { weight: 1, arbitrary: fc.integer({ min: 601, max: 70_000 }) }), {
  minLength: 1,
  maxLength: 40,
});

const truncate = (b: Uint8Array, n: number) => b.subarray(0, b.length - n);

const nfs = fixture('formats/be-nfs3.pcap');
const t202 = fixture('formats/gopacket-le-test202-mixed-endian-sections.pcapng');

const SUBJECTS: { name: string; bytes: Uint8Array; error: string | null }[] = [
  // sound captures
  { name: 'built pcap LE µs', bytes: smallPcap(), error: null },
  { name: 'built pcap BE ns', bytes: smallPcapBeNs(), error: null },
  { name: 'built pcapng', bytes: smallPcapng(), error: null },
  { name: 'built pcapng, 3 sections mixed byte order', bytes: multiSection(), error: null },
  { name: 'be-nfs3.pcap', bytes: nfs, error: null },
  { name: 'nanosecs_big_endian.pcap', bytes: fixture('formats/nanosecs_big_endian.pcap'), error: null },
  { name: 'test202 mixed-endian sections', bytes: t202, error: null },
  { name: 'pcapng-example.pcapng', bytes: fixture('formats/pcapng-example.pcapng'), error: null },
  { name: 'test017 custom blocks only', bytes: fixture('formats/gopacket-le-test017-custom-blocks-only.pcapng'), error: null },
  { name: 'empty.pcap (header only)', bytes: fixture('malformed/empty.pcap'), error: null },
  // damaged captures
  { name: 'fuzz-huge-caplen.pcap', bytes: fixture('malformed/fuzz-huge-caplen.pcap'), error: 'record_too_large' },
  { name: 'test901 SHB v2', bytes: fixture('malformed/gopacket-le-test901-shb-v2.pcapng'), error: 'unsupported_version' },
  { name: 'shb-option-too-long.pcapng', bytes: fixture('malformed/shb-option-too-long.pcapng'), error: 'bad_block_length' },
  { name: 'pcapng-invalid-vers-1.pcapng', bytes: fixture('malformed/pcapng-invalid-vers-1.pcapng'), error: 'unsupported_version' },
  { name: 'linktype reserved bits', bytes: fixture('malformed/linktype-reserved-field-not-zero.pcap'), error: 'bad_header' },
  { name: 'be-nfs3.pcap cut mid-record', bytes: truncate(nfs, 37), error: 'truncated_tail' },
  { name: 'test202 cut mid-block', bytes: truncate(t202, 101), error: 'truncated_tail' },
  { name: 'pcap cut inside the file header', bytes: smallPcap().subarray(0, 17), error: 'truncated_tail' },
  {
    name: 'pcapng with a bad trailer after two packets',
    bytes: concat(
      shb({ order: 'le' }),
      idb('le'),
      epb('le', { ifId: 0, ts: 1n, data: payload(30) }),
      epb('le', { ifId: 0, ts: 2n, data: payload(31) }),
      epb('le', { ifId: 0, ts: 3n, data: payload(32), overrides: { trailer: 12345 } }),
      epb('le', { ifId: 0, ts: 4n, data: payload(33) }),
    ),
    error: 'bad_block_length',
  },
  {
    name: 'pcapng EPB on an undeclared interface',
    bytes: concat(shb({ order: 'be' }), idb('be'), epb('be', { ifId: 0, ts: 1n, data: payload(9) }), epb('be', { ifId: 3, ts: 2n, data: payload(9) })),
    error: 'bad_interface',
  },
  {
    name: 'pcapng block claiming 1 GiB',
    bytes: concat(shb({ order: 'le' }), idb('le'), block('le', 6, payload(40), { length: 1 << 30 })),
    error: 'bad_block_length',
  },
  {
    name: 'pcap record claiming 2 GiB after two good ones',
    bytes: pcapFile({ order: 'be' }, [
      { sec: 1, frac: 1, data: payload(20) },
      { sec: 2, frac: 2, data: payload(21) },
      { sec: 3, frac: 3, data: payload(22), inclLen: 0x80000000 },
    ]),
    error: 'record_too_large',
  },
  { name: 'text, not a capture', bytes: new TextEncoder().encode('12:00:01.000001 IP 10.0.0.1.4789 > 10.0.0.2.4789: VXLAN, flags [I] (0x08), vni 4096\n'), error: 'not_a_capture' },
  { name: 'binary junk', bytes: Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff), error: 'not_a_capture' },
  { name: 'short text', bytes: new TextEncoder().encode('hello, world\n'), error: 'not_a_capture' },
  { name: 'three bytes', bytes: Uint8Array.of(0xd4, 0xc3, 0xb2), error: 'not_a_capture' },
  { name: 'empty', bytes: new Uint8Array(0), error: 'empty' },
];

describe('hostile chunking through CaptureStream.push', () => {
  describe.each(SUBJECTS)('$name', ({ bytes, error }) => {
    const whole = readBytes(bytes, 'whole', 'f.cap');

    it('reads as expected when whole', () => {
      expect(whole.error?.code ?? null).toBe(error);
      if (bytes.length > 0 && error !== 'not_a_capture' && error !== 'empty') expect(whole.format).not.toBeNull();
    });

    it.each(FIXED_PATTERNS.map((p) => ({ p, label: p === 'whole' ? 'whole' : p.join(',') })))('chunks of $label give identical records and error', ({ p }) => {
      expect(comparable(readBytes(bytes, p, 'f.cap'))).toEqual(comparable(whole));
    });

    it('random chunk-size sequences (fast-check) give identical records and error', () => {
      fc.assert(
        fc.property(chunkSizes, (sizes) => {
          expect(comparable(readBytes(bytes, sizes, 'f.cap'))).toEqual(comparable(whole));
        }),
        { numRuns: bytes.length > 20_000 ? 25 : 60 },
      );
    });
  });

  it('random byte-at-a-time starts then big chunks (fast-check, all subjects)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SUBJECTS), fc.integer({ min: 0, max: 300 }), fc.integer({ min: 1, max: 5000 }), (s, ones, rest) => {
        const sizes = [...Array<number>(ones).fill(1), rest];
        // The pattern cycles: `ones` single bytes, then one chunk of `rest`, repeatedly.
        expect(comparable(readBytes(s.bytes, sizes))).toEqual(comparable(readBytes(s.bytes)));
      }),
      { numRuns: 100 },
    );
  });
});

describe('hostile chunking through readCaptureStream (async path)', () => {
  it.each(SUBJECTS)('$name: same result as the synchronous reader, in any chunking', async ({ bytes }) => {
    const whole = readBytes(bytes, 'whole', 'f.cap');
    for (const p of [[1], [3, 7], [13], [4096], 'whole'] as const) {
      const r = await readAsync(bytes, p === 'whole' ? p : [...p], 'f.cap');
      expect(comparable(r)).toEqual(comparable(whole));
      expect(r.summary.compressed).toBe(false);
      expect(r.summary.captureBytes).toBe(r.error ? r.summary.captureBytes : bytes.length);
    }
  });

  it('random chunkings (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SUBJECTS), chunkSizes, async (s, sizes) => {
        expect(comparable(await readAsync(s.bytes, sizes, 'f.cap'))).toEqual(comparable(readBytes(s.bytes, 'whole', 'f.cap')));
      }),
      { numRuns: 150 },
    );
  });
});

describe('gzip', () => {
  it.each(SUBJECTS.filter((s) => s.bytes.length > 0))('$name: gzip of the file reads the same, whole and in tiny chunks', async ({ bytes }) => {
    const gz = gzipSync(bytes);
    const plain = readBytes(bytes, 'whole', 'f.cap');
    for (const p of [[1], [2], [7], [13, 1], 'whole'] as const) {
      const r = await readAsync(gz, p === 'whole' ? p : [...p], 'f.cap');
      expect(r.summary.compressed).toBe(true);
      expect(comparable(r)).toEqual(comparable(plain));
    }
  });

  it('random chunkings of gzip (fast-check)', async () => {
    const subjects = SUBJECTS.filter((s) => s.bytes.length > 0);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...subjects), chunkSizes, async (s, sizes) => {
        expect(comparable(await readAsync(gzipSync(s.bytes), sizes, 'f.cap'))).toEqual(comparable(readBytes(s.bytes, 'whole', 'f.cap')));
      }),
      { numRuns: 60 },
    );
  });

  /** What zlib can inflate from a cut-short gzip, without the end-of-stream check. */
  function inflatablePrefix(cut: Uint8Array): Uint8Array {
    return gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH });
  }

  function expectedForCutGzip(cut: Uint8Array): { records: RecordDigest[]; error: { code: string; offset: number; packet: number } } {
    const prefix = inflatablePrefix(cut);
    const inside = readBytes(prefix, 'whole', 'f.cap.gz');
    // The inflated part is a sound capture cut short (or too short to tell
    // what it is): the reader never gets to say so, the gzip error comes first.
    expect([null, 'truncated_tail', 'empty', 'not_a_capture']).toContain(inside.error?.code ?? null);
    if (inside.error?.code === 'not_a_capture') expect(prefix.length).toBeLessThan(64);
    return { records: inside.records, error: { code: 'gzip', offset: prefix.length, packet: inside.packets + 1 } };
  }

  it('gzip cut short: packets before the cut delivered, then a gzip error, in every chunking', async () => {
    const gz = gzipSync(nfs);
    const cuts = [10, 11, 40, Math.floor(gz.length / 3), Math.floor(gz.length / 2), gz.length - 9, gz.length - 8, gz.length - 4, gz.length - 1];
    for (const at of cuts) {
      const cut = gz.subarray(0, at);
      const want = expectedForCutGzip(cut);
      for (const p of [[1], [7], [100], 'whole'] as const) {
        const r = await readAsync(cut, p === 'whole' ? p : [...p], 'f.cap.gz');
        expect(r.records, `cut at ${at}, chunks ${String(p)}`).toEqual(want.records);
        expect(r.error).toMatchObject(want.error);
        expect(r.error!.message).toContain('gzip data cut short');
        expect(r.error!.message).toContain(`f.cap.gz: `);
        expect(r.error!.message).toContain(`(byte offset ${want.error.offset}, packet ${want.error.packet})`);
      }
    }
    // Only the 8-byte trailer missing: every packet is there, and still an error.
    const noTrailer = await readAsync(gz.subarray(0, gz.length - 8), [13]);
    expect(noTrailer.packets).toBe(128);
    expect(noTrailer.error).toMatchObject({ code: 'gzip', offset: nfs.length, packet: 129 });
  });

  it('gzip cut short at random points and random chunkings (fast-check)', async () => {
    const gz = gzipSync(smallPcapng());
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 10, max: gz.length - 1 }), chunkSizes, async (at, sizes) => {
        const cut = gz.subarray(0, at);
        const want = expectedForCutGzip(cut);
        const r = await readAsync(cut, sizes, 'f.cap.gz');
        expect(r.records).toEqual(want.records);
        expect(r.error).toMatchObject(want.error);
      }),
      { numRuns: 80 },
    );
  });

  it('damaged gzip data (bad checksum) is a gzip error; what came before it is sound', async () => {
    // Known limit: zlib drops the output of the call that meets the damage, so
    // how many packets come before the error depends on the chunking (all 128
    // in 1-byte chunks, none when the file is one chunk). Cut-short gzip, the
    // common case, does not have this problem (see above).
    const gz = Uint8Array.from(gzipSync(nfs));
    gz[gz.length - 8]! ^= 0xff; // CRC32 in the trailer
    const all = readBytes(nfs).records;
    for (const p of [[1], [7], [512], 'whole'] as const) {
      const r = await readAsync(gz, p === 'whole' ? p : [...p], 'crc.pcap.gz');
      expect(r.records).toEqual(all.slice(0, r.packets));
      expect(r.error).toMatchObject({ code: 'gzip', packet: r.packets + 1 });
      expect(r.error!.message).toContain('gzip data damaged');
    }
    expect((await readAsync(gz, [1])).packets).toBe(128);
  });

  it('stopping early (maxPackets) on gzip input returns without an error or a hang', async () => {
    let n = 0;
    const s = await readCaptureStream(Readable.from(chunk(gzipSync(nfs), [100])), 'x.gz', () => n++, { maxPackets: 10 });
    expect(n).toBe(10);
    expect(s).toMatchObject({ stoppedEarly: true, error: null, compressed: true });
  });

  it('gzip inside the capture stream (compressed twice) is refused', async () => {
    const r = await readAsync(gzipSync(gzipSync(nfs)), 'whole', 'twice.gz');
    expect(r.error).toMatchObject({ code: 'not_a_capture', offset: 0, packet: 1 });
    expect(r.error!.message).toContain('compressed twice');
  });

  describe('through readCapture on a .gz file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'podpath-gz-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('reads the same records as the plain file', async () => {
      const path = join(dir, 'nfs.pcap.gz');
      writeFileSync(path, gzipSync(nfs));
      const got: RecordDigest[] = [];
      const s = await readCapture(path, (r) => got.push(digest(r)));
      expect(s.compressed).toBe(true);
      expect(s.format).toBe('pcap');
      expect(s.captureBytes).toBe(nfs.length);
      expect(s.sourceBytes).toBe(gzipSync(nfs).length);
      expect(errorDigest(s.error)).toBeNull();
      expect(got).toEqual(readBytes(nfs).records);
    });
  });
});
