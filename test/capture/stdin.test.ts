/**
 * Standard input. readCapture('-') reads fd 0 (a file as a named file, a pipe
 * or socket into a ring of reused buffers, a terminal through process.stdin),
 * which a test cannot swap, so stdin is covered three ways: readCaptureStream over a Readable
 * (what readCapture hands process.stdin to); a child node process running
 * readCapture('-') from the TypeScript source bundled on the fly with esbuild
 * (tsup's bundler, skipped if it is not installed); and, when the CLI has been
 * built (dist/cli.cjs), the real binary with a fixture piped in.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCaptureStream } from '../../src/capture/source.js';
import { CaptureStream } from '../../src/capture/stream.js';
import { payload, pcapFile } from './build.js';
import { digest, fixture, FIXTURES, readBytes, type RecordDigest } from './helpers.js';

const STDIN_FIXTURES = ['formats/be-nfs3.pcap', 'formats/gopacket-le-test202-mixed-endian-sections.pcapng', 'formats/many_interfaces-1.pcapng'];

describe('stdin through readCaptureStream', () => {
  it.each(STDIN_FIXTURES)('%s piped like stdin (64 KiB chunks, as a pipe delivers) reads like the file', async (rel) => {
    const bytes = fixture(rel);
    const pipe = new PassThrough({ highWaterMark: 65536 });
    const got: RecordDigest[] = [];
    const reading = readCaptureStream(pipe, '-', (r) => got.push(digest(r)));
    // Write in pipe-sized pieces after the reader started, as a shell pipeline would.
    for (let p = 0; p < bytes.length; p += 4096) pipe.write(bytes.subarray(p, p + 4096));
    pipe.end();
    const s = await reading;
    expect(s.file).toBe('-');
    expect(s.error).toBeNull();
    expect(got).toEqual(readBytes(bytes).records);
    expect(s.sourceBytes).toBe(bytes.length);
  });

  it('gzip on stdin', async () => {
    const bytes = fixture('formats/be-nfs3.pcap');
    const got: RecordDigest[] = [];
    const s = await readCaptureStream(Readable.from([gzipSync(bytes)]), '-', (r) => got.push(digest(r)));
    expect(s.compressed).toBe(true);
    expect(got).toEqual(readBytes(bytes).records);
  });

  // The file reader hands out pieces of buffers it reads into again; a piece is
  // valid only until the next one is asked for. This source is stricter still: one
  // buffer, overwritten (with 0xee) as soon as the next piece is asked for.
  async function* reusingOneBuffer(bytes: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
    const buf = new Uint8Array(Math.max(...sizes));
    let i = 0;
    for (let p = 0; p < bytes.length; i++) {
      const n = Math.min(sizes[i % sizes.length]!, bytes.length - p);
      buf.set(bytes.subarray(p, p + n));
      yield buf.subarray(0, n);
      buf.fill(0xee);
      p += n;
    }
  }

  it.each([
    ['1 MiB pieces', [1 << 20]],
    ['short and long pieces', [3, 70_000, 1, 300_000, 5000, 1 << 20]],
  ])('a source that reuses its buffer, %s: plain and gzip read every byte as sent', async (_name, sizes) => {
    const bytes = randomCapture(800, 1400);
    const want = readBytes(bytes).records;
    const gz = gzipSync(bytes);
    expect(gz.length).toBeGreaterThan(2 * 300_000);
    for (const input of [bytes, gz]) {
      const got: RecordDigest[] = [];
      const s = await readCaptureStream(reusingOneBuffer(input, sizes), '-', (r) => got.push(digest(r)));
      expect(s.error).toBeNull();
      expect(got).toEqual(want);
    }
  });

  it('errors on stdin name "-" as the file', async () => {
    const s = await readCaptureStream(Readable.from([fixture('malformed/fuzz-huge-caplen.pcap')]), '-', () => {});
    expect(s.packets).toBe(1);
    expect(s.error?.message).toMatch(/^-: pcap record claims .* \(byte offset 228, packet 2\)$/);
  });

  it('damage in the first piece ends the reading: it does not wait for another (a live pipe may send none)', async () => {
    let asked = 0;
    const quiet: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        // The first piece holds the damage; after it the source has nothing more for now.
        next: () => (++asked === 1 ? Promise.resolve({ done: false, value: fixture('malformed/fuzz-huge-caplen.pcap') }) : new Promise(() => {})),
        return: () => Promise.resolve({ done: true, value: undefined }),
      }),
    };
    const s = await readCaptureStream(quiet, '-', () => {});
    expect(s.packets).toBe(1);
    expect(s.error?.message).toMatch(/\(byte offset 228, packet 2\)$/);
    expect(asked).toBe(1);
  });

  it('stops early at maxPackets without an error', async () => {
    const bytes = fixture('formats/be-nfs3.pcap');
    let n = 0;
    const s = await readCaptureStream(Readable.from([bytes.subarray(0, 5000), bytes.subarray(5000)]), '-', () => n++, { maxPackets: 10 });
    expect(n).toBe(10);
    expect(s.stoppedEarly).toBe(true);
    expect(s.error).toBeNull();
  });
});

interface EsbuildLike {
  buildSync(options: Record<string, unknown>): unknown;
}

const esbuild = (await import('esbuild').catch(() => null)) as EsbuildLike | null;

describe.skipIf(!esbuild)("stdin through readCapture('-') in a child process", () => {
  const dir = mkdtempSync(join(tmpdir(), 'podpath-stdin-'));
  const script = join(dir, 'read-stdin.mjs');
  beforeAll(() => {
    const entry = `
      import { readCapture } from ${JSON.stringify(resolve('src/capture/source.ts'))};
      import { createHash } from 'node:crypto';
      import { fstatSync } from 'node:fs';
      const st = fstatSync(0);
      const stdin = st.isFile() ? 'file' : st.isFIFO() ? 'pipe' : st.isSocket() ? 'socket' : 'other';
      // SLOW=1: a parse slower than the writer, so the reader's buffers fill and it pauses.
      const slow = process.env.SLOW === '1';
      let n = 0;
      let bytes = 0;
      const hash = createHash('sha256');
      const s = await readCapture('-', (r) => {
        n++;
        bytes += r.capLen;
        hash.update(r.buf.subarray(r.offset, r.offset + r.capLen));
        if (slow && n % 50 === 0) for (const t = Date.now(); Date.now() - t < 2; );
      });
      process.stdout.write(JSON.stringify({ stdin, n, bytes, sha: hash.digest('hex'), packets: s.packets, format: s.format, compressed: s.compressed, error: s.error && s.error.message }));
    `;
    esbuild!.buildSync({
      stdin: { contents: entry, resolveDir: process.cwd(), loader: 'ts', sourcefile: 'read-stdin.ts' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile: script,
      logLevel: 'silent',
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  type StdinResult = { n: number; bytes: number; sha: string; packets: number; format: string | null; compressed: boolean; error: string | null };

  /** The child's report, after checking what its stdin was. */
  function result(child: ReturnType<typeof spawnSync>, stdin: string): StdinResult {
    expect(child.status, String(child.stderr)).toBe(0);
    const { stdin: was, ...r } = JSON.parse(String(child.stdout)) as StdinResult & { stdin: string };
    expect(was).toBe(stdin);
    return r;
  }

  /** `input` written to the child's stdin (Node makes that a socket). */
  function readStdin(input: Uint8Array): StdinResult {
    return result(spawnSync(process.execPath, [script], { input, encoding: 'utf8', maxBuffer: 16 << 20 }), 'socket');
  }

  /** `input` through a pipe, as `cat file | podpath -` or `ssh node tcpdump -w - | podpath -`; SLOW: the child parses slower than cat writes. */
  function readStdinPipe(input: Uint8Array, slow = false): StdinResult {
    const path = join(dir, 'pipe-input');
    writeFileSync(path, input);
    const child = spawnSync('sh', ['-c', 'cat "$1" | "$2" "$3"', 'sh', path, process.execPath, script], {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
      env: { ...process.env, SLOW: slow ? '1' : '0' },
    });
    return result(child, 'pipe');
  }

  /** A file holding `skip` other bytes and then `input`, as the child's stdin (`< file`), its offset past the other bytes. */
  function readStdinFile(input: Uint8Array, skip = 0): StdinResult {
    const path = join(dir, 'stdin-file');
    writeFileSync(path, Buffer.concat([Buffer.alloc(skip, 0x5a), input]));
    const fd = openSync(path, 'r');
    try {
      if (skip > 0) readSync(fd, Buffer.alloc(skip), 0, skip, null);
      return result(spawnSync(process.execPath, [script], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8', maxBuffer: 16 << 20 }), 'file');
    } finally {
      closeSync(fd);
    }
  }

  /** What the child should print for capture `bytes` read cleanly. */
  function expected(bytes: Uint8Array, compressed = false): StdinResult {
    const hash = createHash('sha256');
    let n = 0;
    let total = 0;
    const s = new CaptureStream((r) => {
      n++;
      total += r.capLen;
      hash.update(r.buf.subarray(r.offset, r.offset + r.capLen));
    }, '-');
    s.push(bytes);
    s.end();
    expect(s.error).toBeNull();
    return { n, bytes: total, sha: hash.digest('hex'), packets: n, format: s.format, compressed, error: null };
  }

  it.each(STDIN_FIXTURES)('%s', (rel) => {
    const bytes = fixture(rel);
    expect(readStdin(bytes)).toEqual(expected(bytes));
  });

  it.each(STDIN_FIXTURES)('%s redirected from a file (read like a named file, from the offset it was left at)', (rel) => {
    const bytes = fixture(rel);
    expect(readStdinFile(bytes)).toEqual(expected(bytes));
    expect(readStdinFile(bytes, 1000)).toEqual(expected(bytes));
  });

  it('a gzip file of several MiB redirected to stdin: every byte as compressed', () => {
    // Random payloads barely compress: the .gz spans several of the reader's 1 MiB
    // pieces, whose buffers it reuses, so anything zlib still held from one would be overwritten.
    const bytes = randomCapture(2500, 1400);
    const gz = gzipSync(bytes);
    expect(gz.length).toBeGreaterThan(2 << 20);
    expect(readStdinFile(gz)).toEqual(expected(bytes, true));
    expect(readStdin(gz)).toEqual(expected(bytes, true));
  });

  it.each(STDIN_FIXTURES)('%s through a pipe (cat |)', (rel) => {
    const bytes = fixture(rel);
    expect(readStdinPipe(bytes)).toEqual(expected(bytes));
  });

  it('several MiB through a pipe, plain and gzip, read faster and slower than cat writes: every byte as sent', () => {
    // The reader keeps 16 pieces of up to 64 KiB (a pipe's capacity) and reads into each
    // again once the parse is past it: 3.5 MB wraps that ring several times, and a slow
    // parse fills it, so reading pauses and resumes. A piece overwritten too early changes the hash.
    const bytes = randomCapture(2500, 1400);
    const want = expected(bytes);
    expect(readStdinPipe(bytes)).toEqual(want);
    expect(readStdinPipe(bytes, true)).toEqual(want);
    expect(readStdinPipe(gzipSync(bytes), true)).toEqual(expected(bytes, true));
  });

  it('gzip, and a damaged capture, on stdin', () => {
    const nfs = fixture('formats/be-nfs3.pcap');
    expect(readStdin(gzipSync(nfs))).toMatchObject({ n: 128, compressed: true, error: null });
    expect(readStdin(fixture('malformed/fuzz-huge-caplen.pcap'))).toMatchObject({
      n: 1,
      error: expect.stringMatching(/^-: pcap record claims .*\(byte offset 228, packet 2\)$/),
    });
    expect(readStdin(new Uint8Array(0))).toMatchObject({ n: 0, error: '-: empty input: no capture data' });
  });
});

const CLI = 'dist/cli.cjs';

describe.skipIf(!existsSync(CLI))('stdin through the built CLI (bin/podpath.js packets -)', () => {
  function run(args: string[], input?: Buffer) {
    return spawnSync(process.execPath, ['bin/podpath.js', ...args], { input, encoding: 'utf8', maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
  }

  const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);

  it.each(STDIN_FIXTURES)('%s: same output from stdin as from the file', (rel) => {
    const path = `${FIXTURES}/${rel}`;
    const fromFile = run(['packets', path]);
    const fromStdin = run(['packets', '-'], readFileSync(path));
    expect(fromFile.status).toBe(0);
    expect(fromStdin.status).toBe(0);
    expect(lines(fromStdin.stdout)).toHaveLength(lines(fromFile.stdout).length);
    expect(lines(fromFile.stdout).length).toBeGreaterThan(0);
  });

  it('packets -c 2 from a pipe whose writer stays open and quiet (a live tcpdump -w -): prints 2 and exits without waiting for it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podpath-fifo-'));
    const fifo = join(dir, 'live');
    try {
      if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo: nothing to test with
      // Opened read-write, the FIFO never reports an end: the child holds a writer itself.
      const childEnd = openSync(fifo, 'r+');
      const writer = openSync(fifo, 'w');
      const path = `${FIXTURES}/formats/be-nfs3.pcap`;
      writeSync(writer, readFileSync(path).subarray(0, 4000));
      const child = spawn(process.execPath, ['bin/podpath.js', 'packets', '-c', '2', '-'], { stdio: [childEnd, 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
      closeSync(childEnd);
      let out = '';
      child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      // Hangs (the test times out) when the command waits for more input.
      const code = await new Promise<number | null>((done) => child.on('exit', done));
      closeSync(writer);
      expect(code).toBe(0);
      expect(lines(out)).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gzip on stdin gives the same number of lines', () => {
    const path = `${FIXTURES}/formats/be-nfs3.pcap`;
    const fromFile = run(['packets', path]);
    const fromStdin = run(['packets', '-'], gzipSync(readFileSync(path)));
    expect(fromStdin.status).toBe(0);
    expect(lines(fromStdin.stdout)).toHaveLength(lines(fromFile.stdout).length);
  });
});

/** A microsecond pcap of `packets` records of `size` pseudo-random bytes (each record its own seed: they barely compress). */
function randomCapture(packets: number, size: number): Buffer {
  return Buffer.from(pcapFile({}, Array.from({ length: packets }, (_, i) => ({ sec: 1_700_000_000 + i, frac: i % 1_000_000, data: payload(size, i + 1) }))));
}
