/**
 * Streaming sanity on a generated 50 MB capture: the reader keeps only the
 * unconsumed tail of the input (well under 2 MiB however the file is read),
 * hands out views rather than copies, and reads every packet. No timing
 * assertions.
 */
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readCapture, readCaptureStream, READ_CHUNK } from '../../src/capture/source.js';
import { CaptureStream } from '../../src/capture/stream.js';
import { concat, epb, idb, payload, pcapHeader, pcapRecord, shb } from './build.js';

const TARGET = 50 * 1024 * 1024;
const MAX_RECORD = 200_000;
const TWO_MIB = 2 * 1024 * 1024;

/** Record sizes cycle through small, MTU-sized and a few large ones that straddle chunk boundaries. */
const SIZES = [60, 1514, 42, 9000, 1514, 1514, 66, MAX_RECORD, 1514, 128, 65_535, 1];

let dir = '';
let pcapPath = '';
let pcapPackets = 0;
let pcapngPath = '';
let pcapngPackets = 0;

function writeCapture(path: string, header: Uint8Array, record: (i: number, data: Uint8Array) => Uint8Array, target: number): number {
  const fd = openSync(path, 'w');
  const datas = SIZES.map((n, i) => payload(n, i + 1));
  let written = writeSync(fd, header);
  let n = 0;
  const batch: Uint8Array[] = [];
  let batchLen = 0;
  while (written + batchLen < target) {
    const r = record(n, datas[n % datas.length]!);
    batch.push(r);
    batchLen += r.length;
    n++;
    if (batchLen > 1 << 20) {
      written += writeSync(fd, concat(...batch));
      batch.length = 0;
      batchLen = 0;
    }
  }
  if (batch.length) writeSync(fd, concat(...batch));
  closeSync(fd);
  return n;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'podpath-mem-'));
  pcapPath = join(dir, 'big.pcap');
  pcapPackets = writeCapture(pcapPath, pcapHeader({ order: 'le', snapLen: 262_144 }), (i, data) => pcapRecord('le', { sec: 1_700_000_000 + (i >> 10), frac: i & 1023, data }), TARGET);
  pcapngPath = join(dir, 'big.pcapng');
  pcapngPackets = writeCapture(
    pcapngPath,
    concat(shb({ order: 'be' }), idb('be', { name: 'eth0', tsresol: 9 }), idb('be', { name: 'tunl0' })),
    (i, data) => epb('be', { ifId: i & 1, ts: 1_700_000_000_000_000_000n + BigInt(i), data }),
    TARGET / 5,
  );
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Watch every CaptureStream that readCapture creates: the largest pending tail after any push. */
function watchPending(): { peak: () => number; pushes: () => number } {
  let peak = 0;
  let pushes = 0;
  const original = CaptureStream.prototype.push;
  vi.spyOn(CaptureStream.prototype, 'push').mockImplementation(function (this: CaptureStream, chunk: Uint8Array) {
    original.call(this, chunk);
    pushes++;
    if (this.pendingBytes > peak) peak = this.pendingBytes;
  });
  return { peak: () => peak, pushes: () => pushes };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('streaming a 50 MB capture', () => {
  it('readCapture on a 50 MB pcap keeps less than 2 MiB pending and hands out views', async () => {
    const watch = watchPending();
    let n = 0;
    let bytes = 0;
    let maxBuf = 0;
    let copies = 0;
    const s = await readCapture(pcapPath, (r) => {
      n++;
      bytes += r.capLen;
      if (r.buf.length > maxBuf) maxBuf = r.buf.length;
      if (r.data.buffer !== r.buf.buffer) copies++;
    });
    expect(s.error).toBeNull();
    expect(s.captureBytes).toBeGreaterThanOrEqual(TARGET);
    expect(n).toBe(pcapPackets);
    expect(s.packets).toBe(pcapPackets);
    expect(bytes).toBe(s.captureBytes - 24 - 16 * n);
    expect(watch.pushes()).toBeGreaterThan(40);
    expect(watch.peak()).toBeLessThan(TWO_MIB);
    // A record's buffer is a read chunk, or one chunk joined with the tail before it: never the file.
    expect(maxBuf).toBeLessThanOrEqual(READ_CHUNK + MAX_RECORD + 16);
    expect(copies).toBe(0);
  });

  it('stopping early (maxPackets) while the next piece is being read leaves no descriptor open', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (const max of [1, 1000]) {
      let n = 0;
      const s = await readCapture(pcapPath, () => n++, { maxPackets: max });
      expect(s.stoppedEarly).toBe(true);
      expect(s.error).toBeNull();
      expect(n).toBe(max);
    }
    expect(fds()).toBe(before);
  });

  it('pushing it in odd-sized chunks keeps the tail below one record plus one chunk', () => {
    const file = readFileSync(pcapPath);
    for (const size of [4093, 65_537, 3 * 1024 * 1024 + 1]) {
      let n = 0;
      let peak = 0;
      const stream = new CaptureStream(() => n++, 'big.pcap');
      for (let p = 0; p < file.length; p += size) {
        stream.push(file.subarray(p, p + size));
        peak = Math.max(peak, stream.pendingBytes);
      }
      stream.end();
      expect(stream.error).toBeNull();
      expect(n).toBe(pcapPackets);
      expect(peak).toBeLessThan(Math.min(TWO_MIB, size + MAX_RECORD + 16));
    }
  });

  it('readCapture on a 10 MB pcapng (two interfaces, ns timestamps)', async () => {
    const watch = watchPending();
    const perIface = [0, 0];
    const s = await readCapture(pcapngPath, (r) => perIface[r.interfaceId]!++);
    expect(s.error).toBeNull();
    expect(s.packets).toBe(pcapngPackets);
    expect(perIface).toEqual([Math.ceil(pcapngPackets / 2), Math.floor(pcapngPackets / 2)]);
    expect(watch.peak()).toBeLessThan(TWO_MIB);
  });

  it('gzip: the 50 MB pcap compressed, read as a stream, keeps less than 2 MiB pending', async () => {
    const gz = gzipSync(readFileSync(pcapPath), { level: 1 });
    const watch = watchPending();
    let n = 0;
    const chunks = (function* () {
      for (let p = 0; p < gz.length; p += 256 * 1024) yield gz.subarray(p, p + 256 * 1024);
    })();
    const s = await readCaptureStream(Readable.from(chunks), 'big.pcap.gz', () => n++);
    expect(s.error).toBeNull();
    expect(s.compressed).toBe(true);
    expect(n).toBe(pcapPackets);
    expect(watch.peak()).toBeLessThan(TWO_MIB);
  });
});
