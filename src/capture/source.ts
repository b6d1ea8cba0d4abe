/**
 * Where capture bytes come from: a file, stdin ("-"), any Node stream; gzip
 * recognised by its magic and inflated on the way. Nothing here knows pcap:
 * chunks go to a CaptureStream, which does.
 */
import { closeSync, fstatSync, openSync, read, readSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { type OnReadOpts, Socket, type SocketConstructorOpts } from 'node:net';
import { Readable, type TransformOptions } from 'node:stream';
import { constants as zlibConstants, createGunzip, type ZlibOptions } from 'node:zlib';
import { CaptureFormatError } from './errors.js';
import type { CaptureFormat, CaptureInterface, RecordSink } from './record.js';
import { CaptureStream } from './stream.js';

export const READ_CHUNK = 1 << 20;
/** Capture files are read in 1 MiB pieces, the next one while the last is parsed (see fileChunks). */
export const FILE_CHUNK = 1 << 20;
/**
 * Compressed bytes per zlib write (see the gzip feeder in readCaptureStream),
 * and per read of a gzip file: 64 KiB measured 25% slower; damage loses no
 * more than one piece.
 */
const GZIP_PIECE = 256 << 10;
const GZIP_TRAILER = 8;

export interface ReadOptions {
  /** Called now and then with bytes read from the source (compressed bytes for gzip). */
  onProgress?: (sourceBytes: number) => void;
  /** Stop early (no error) once this many packets have been delivered. */
  maxPackets?: number;
  /** Awaited after each chunk's records are delivered: lets a writer wait for a slow stdout. */
  afterChunk?: () => Promise<void> | void;
}

export interface CaptureSummary {
  /** As the user named it; "-" for stdin. */
  file: string;
  format: CaptureFormat | null;
  compressed: boolean;
  packets: number;
  /** Bytes read from the source (the compressed size for gzip). */
  sourceBytes: number;
  /** Bytes of capture data after decompression. */
  captureBytes: number;
  interfaces: CaptureInterface[];
  /** Structural damage met, after `packets` good ones; null when the capture read cleanly. */
  error: CaptureFormatError | null;
  /** True when reading stopped at maxPackets. */
  stoppedEarly: boolean;
}

/** Read a capture file, or stdin for "-", delivering every record to `sink`. */
export async function readCapture(file: string, sink: RecordSink, opts: ReadOptions = {}): Promise<CaptureSummary> {
  const input: Readable | AsyncIterable<Uint8Array> = file === '-' ? stdinChunks() : isGzipFile(file) ? gzipFileChunks(file) : fileChunks(file);
  return readCaptureStream(input, file, sink, opts);
}

/**
 * Standard input: a file redirected to it (`podpath analyze - < x.pcap`) is
 * read like a named file, from where its offset stands; a pipe or socket
 * (`ssh node tcpdump -w - |`, `cat x.pcap |`) into a ring of reused buffers
 * (socketChunks); a terminal through process.stdin.
 */
function stdinChunks(): Readable | AsyncIterable<Uint8Array> {
  let kind = '';
  try {
    const st = fstatSync(0);
    kind = st.isFile() ? 'file' : st.isFIFO() || st.isSocket() ? 'stream' : '';
  } catch {
    // No fd 0 (closed): process.stdin reports it.
  }
  return kind === 'file' ? fdChunks(0, false) : kind === 'stream' ? socketChunks(0) : process.stdin;
}

/** Pieces of a pipe or socket read ahead of the parse (socketChunks), and the most each holds: a pipe's capacity. */
const SOCKET_RING = 16;
const SOCKET_PIECE = 64 << 10;

/**
 * A pipe's or socket's bytes, read into a ring of reused buffers (net.Socket's
 * `onread`), as the reads return them (a pipe's: up to 64 KiB). Reads run
 * ahead of the parse by up to the ring's size, and pause when it is full of
 * pieces not yet parsed. A piece's buffer is read into again only once the
 * consumer has asked for the piece after it: it is done with it by then
 * (CaptureStream copies any tail it keeps). process.stdin hands out a fresh
 * 64 KiB buffer per read instead, which cost ~30 MiB of peak RSS in buffers
 * waiting for the garbage collector (vxlan-1m through `cat |`: 107 MiB,
 * against 78 for the file). The reads are the event loop's, as
 * process.stdin's: reading a pipe in the thread pool (as fdChunks reads
 * files) left a read waiting for a quiet writer when reading stopped early
 * (`packets -c 2`), and the process could not exit until the writer wrote
 * again (Node joins the pool's threads at exit). Exported for tests (stdin
 * is the one fd the command reads this way).
 */
export async function* socketChunks(fd: number): AsyncGenerator<Uint8Array> {
  const slab = pageAlignedBytes(SOCKET_RING * SOCKET_PIECE);
  const ring = Array.from({ length: SOCKET_RING }, (_, i) => slab.subarray(i * SOCKET_PIECE, (i + 1) * SOCKET_PIECE));
  const lengths = new Int32Array(SOCKET_RING);
  let filled = 0; // pieces read: piece j is in ring[j % SOCKET_RING]
  let taken = 0; // pieces handed out: the last of them may be in use, those before it are done
  let paused = false;
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const w = wake;
    wake = null;
    w?.();
  };
  /** Whether the next read's buffer (that of piece filled - SOCKET_RING) is done with. */
  const nextFree = (): boolean => filled - SOCKET_RING <= taken - 2;
  // (onread is a constructor option since Node 15.8; @types/node lists it for connect() only.)
  const options: SocketConstructorOpts & { onread: OnReadOpts } = {
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer: () => ring[filled % SOCKET_RING]!,
      callback: (n: number): boolean => {
        lengths[filled % SOCKET_RING] = n;
        filled++;
        notify();
        paused = !nextFree();
        return !paused;
      },
    },
  };
  const socket = new Socket(options);
  socket.on('end', () => {
    ended = true;
    notify();
  });
  socket.on('error', (e: Error) => {
    failure = e;
    notify();
  });
  try {
    for (;;) {
      while (taken === filled && !ended && failure === null) await new Promise<void>((resolve) => (wake = resolve));
      if (taken < filled) {
        const at = taken++ % SOCKET_RING;
        if (paused && nextFree()) {
          paused = false;
          socket.resume();
        }
        yield ring[at]!.subarray(0, lengths[at]);
        continue;
      }
      if (failure !== null) throw failure;
      return;
    }
  } finally {
    socket.destroy();
  }
}

function isGzipFile(file: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false; // reported when the file is read
  }
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's bytes in FILE_CHUNK pieces, each read in the thread pool while
 * the piece before it is parsed: the kernel's copy out of the page cache
 * (about a sixth of the time on an 820 MB capture) then runs on another core.
 * Two page-aligned buffers take turns: the one handed out is safe until the
 * consumer asks for the next piece, because CaptureStream copies any tail it
 * keeps and records are valid only until the next one. Each piece waits for
 * a read callback, so the event loop gets a turn (Ctrl-C, progress, output).
 * 1 MiB pieces: 256 KiB ones read this way measured no faster than reading
 * in turn; 2 and 4 MiB measured like 1 MiB, and so did three or five
 * buffers with more reads in flight.
 */
async function* fileChunks(file: string): AsyncGenerator<Uint8Array> {
  // Opened on the first read, so a missing file is reported like any read error.
  yield* fdChunks(openSync(file, 'r'), true);
}

/** fileChunks on an open descriptor, from its current offset; closed at the end when `close`. */
async function* fdChunks(fd: number, close: boolean): AsyncGenerator<Uint8Array> {
  const bufs = [pageAlignedBytes(FILE_CHUNK), pageAlignedBytes(FILE_CHUNK)] as const;
  let next = 0;
  let pending = readPiece(fd, bufs[0]);
  try {
    for (;;) {
      const n = await pending;
      if (n === 0) return;
      const piece = bufs[next]!;
      next ^= 1;
      pending = readPiece(fd, bufs[next]!);
      yield n === FILE_CHUNK ? piece : piece.subarray(0, n);
    }
  } finally {
    // The read in flight writes into our buffer and uses the descriptor: let it finish first.
    await pending.catch(() => 0);
    if (close) closeSync(fd);
  }
}

/** The next piece of `fd` (from its current position) into `buf`, in the thread pool. */
function readPiece(fd: number, buf: Buffer): Promise<number> {
  const p = new Promise<number>((resolve, reject) => read(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n))));
  // Handled even when nobody awaits it (the consumer stopped with an error of its own while it was in flight).
  p.catch(() => 0);
  return p;
}

/**
 * A gzip file's bytes in fresh GZIP_PIECE pieces (zlib may hold on to
 * them), read synchronously: inflating, in the thread pool, is the slow part.
 * The event loop gets a turn every few pieces.
 */
async function* gzipFileChunks(file: string): AsyncGenerator<Uint8Array> {
  const fd = openSync(file, 'r');
  try {
    for (let i = 1; ; i++) {
      const buf = Buffer.allocUnsafeSlow(GZIP_PIECE);
      const n = readSync(fd, buf, 0, GZIP_PIECE, null);
      if (n === 0) return;
      yield n === GZIP_PIECE ? buf : buf.subarray(0, n);
      if (i % 8 === 0) await nextTurn();
    }
  } finally {
    closeSync(fd);
  }
}

/** The one WebAssembly call used here (the ES2022 lib has no WebAssembly types). */
declare const WebAssembly: { Memory: new (d: { initial: number; maximum: number }) => { buffer: ArrayBuffer } };

/**
 * A buffer that starts on a memory page (WebAssembly memory is page-aligned;
 * where an ArrayBuffer lands is up to the allocator). The kernel copies file
 * data out with `rep movsb`, which on AMD Zen runs at about a quarter of its
 * speed when the destination lies 1-31 bytes past the source's position in a
 * 4 KiB page. File pieces are read from multiples of FILE_CHUNK, so that is
 * a buffer starting 1-31 bytes into a page, and the first 256 KiB Buffer of a
 * fresh process starts 16 bytes in (glibc maps it): reading an 820 MB capture
 * into it took 350 ms here, against 90 ms at any other address. The command
 * happened to get a good address in every run measured, but only because of
 * what had been allocated before. From a page-aligned buffer the distance is
 * always 0.
 */
export function pageAlignedBytes(bytes: number): Buffer {
  const pages = Math.ceil(bytes / 65536);
  try {
    return Buffer.from(new WebAssembly.Memory({ initial: pages, maximum: pages }).buffer, 0, bytes);
  } catch {
    // No room for a WebAssembly memory (it reserves address space; `ulimit -v`): any buffer reads the same bytes.
    return Buffer.allocUnsafeSlow(bytes);
  }
}

class StopReading extends Error {}

/** Read a capture from any byte stream (file, stdin, socket, test fixture). */
export async function readCaptureStream(
  input: Readable | AsyncIterable<Uint8Array>,
  file: string,
  sink: RecordSink,
  opts: ReadOptions = {},
): Promise<CaptureSummary> {
  const max = opts.maxPackets ?? Infinity;
  let delivered = 0;
  const limited: RecordSink =
    max === Infinity
      ? sink
      : (rec) => {
          sink(rec);
          if (++delivered >= max) throw new StopReading();
        };
  const stream = new CaptureStream(limited, file);
  const summary: CaptureSummary = {
    file,
    format: null,
    compressed: false,
    packets: 0,
    sourceBytes: 0,
    captureBytes: 0,
    interfaces: [],
    error: null,
    stoppedEarly: false,
  };
  const it = (input as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  try {
    // Enough bytes to tell gzip from a capture.
    const head: Uint8Array[] = [];
    let headLen = 0;
    while (headLen < 4) {
      const n = await it.next();
      if (n.done) break;
      const c = toBytes(n.value);
      summary.sourceBytes += c.length;
      // A piece kept while waiting for more is copied: a source may reuse its buffer for the
      // next piece (the file reader does), which overwrote the magic of a capture whose first
      // pieces were under 4 bytes ("not a pcap", found by test/fuzz).
      head.push(headLen + c.length < 4 ? Uint8Array.from(c) : c);
      headLen += c.length;
    }
    const first = head.length === 1 ? head[0]! : Buffer.concat(head);
    if (first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b) {
      summary.compressed = true;
      // Inflating runs in the thread pool, a step at a time, and a step
      // whose output finds the readable side over its high-water mark waits
      // for the next read. At the default 16 KiB every step waited for the
      // parse of the chunk before it, so inflating and parsing took turns;
      // 1 MiB lets the next chunk be inflated while this one is parsed
      // (ipip-small-5m.pcap.gz: 1,752 -> 1,498 ms, median of 5).
      const options: ZlibOptions & TransformOptions = { chunkSize: READ_CHUNK, readableHighWaterMark: READ_CHUNK };
      const gunzip = createGunzip(options);
      // zlib drops the whole output of the write in which it meets damage (a
      // bad CRC, corrupt deflate data), so what survived depended on how the
      // source was chunked: a damaged .gz read as one piece gave 0 packets,
      // read in small pieces 159 (found by test/fuzz). Fixed-size pieces make
      // the result independent of the chunking and bound the loss to one
      // piece; the 8-byte trailer (CRC and size) goes in a write of its own,
      // so a bad checksum costs no data at all.
      const feeder = Readable.from(
        (async function* () {
          // Pieces are joined only once a whole piece is there: a pipe that trickles small
          // chunks must not make every chunk copy the bytes already held (joining each one
          // on arrival grew memory by 66 MiB on a 71 KB file read in 3-byte chunks; test/fuzz).
          // A Node stream's chunks are the stream's to give away (process.stdin: a fresh
          // buffer per read). Any other source may reuse its buffer for the next piece
          // (fdChunks does, for a .gz file redirected to stdin), so from it, everything held
          // across a read of the source, or handed to zlib, is a copy: a piece that completes
          // a whole one is joined (copied) with the bytes before it at once; one that does not
          // waits for the next read, so it is copied (a short read, as from a file still being
          // written).
          const keep = input instanceof Readable ? (c: Uint8Array) => c : (c: Uint8Array) => Uint8Array.from(c);
          let held: Uint8Array[] = [keep(first)];
          let size = first.length;
          for (;;) {
            if (size >= GZIP_PIECE + GZIP_TRAILER) {
              const all = held.length === 1 ? held[0]! : Buffer.concat(held, size);
              let off = 0;
              for (; all.length - off >= GZIP_PIECE + GZIP_TRAILER; off += GZIP_PIECE) yield all.subarray(off, off + GZIP_PIECE);
              held = [all.subarray(off)];
              size = all.length - off;
            }
            const n = await it.next();
            if (n.done) break;
            const c = toBytes(n.value);
            summary.sourceBytes += c.length;
            opts.onProgress?.(summary.sourceBytes);
            held.push(size + c.length >= GZIP_PIECE + GZIP_TRAILER ? c : keep(c));
            size += c.length;
          }
          const rest = held.length === 1 ? held[0]! : Buffer.concat(held, size);
          if (rest.length > GZIP_TRAILER) yield rest.subarray(0, rest.length - GZIP_TRAILER);
          if (rest.length > 0) yield rest.subarray(Math.max(0, rest.length - GZIP_TRAILER));
        })(),
      );
      feeder.on('error', (e) => gunzip.destroy(e));
      // Not end: true. zlib inflates the chunk still queued when end() is
      // called with Z_FINISH, and on a cut-short stream it drops that chunk's
      // output along with the error, so how many packets survived depended on
      // how the input was chunked. A flush first gets every chunk inflated;
      // only then is the end (and any "unexpected end of file") reached.
      feeder.pipe(gunzip, { end: false });
      feeder.on('end', () => {
        gunzip.flush(zlibConstants.Z_SYNC_FLUSH, () => {
          if (!gunzip.destroyed) gunzip.end();
        });
      });
      try {
        for await (const c of gunzip) {
          stream.push(c as Uint8Array);
          if (opts.afterChunk) await opts.afterChunk();
          if (stream.error) break;
        }
      } catch (e) {
        if (e instanceof StopReading) throw e;
        const err = e as NodeJS.ErrnoException;
        if (typeof err.code === 'string' && err.code.startsWith('Z_') && !stream.error) {
          const why = err.code === 'Z_BUF_ERROR' ? 'gzip data cut short' : `gzip data damaged (${err.message})`;
          const damage = new CaptureFormatError('gzip', why, stream.bytesIn, stream.packets + 1, file);
          finishSummary(summary, stream);
          summary.error = damage;
          feeder.destroy();
          return summary;
        }
        throw e;
      }
    } else {
      stream.push(first);
      opts.onProgress?.(summary.sourceBytes);
      if (opts.afterChunk) await opts.afterChunk();
      // Damage in the first piece stops the reading too: waiting for another piece held a
      // live pipe's report until the writer wrote again, or ended.
      while (!stream.error) {
        const n = await it.next();
        if (n.done) break;
        const c = toBytes(n.value);
        summary.sourceBytes += c.length;
        opts.onProgress?.(summary.sourceBytes);
        stream.push(c);
        if (opts.afterChunk) await opts.afterChunk();
      }
    }
    stream.end();
  } catch (e) {
    if (e instanceof StopReading) {
      summary.stoppedEarly = true;
    } else if (isIoError(e)) {
      const err = e as NodeJS.ErrnoException;
      finishSummary(summary, stream);
      summary.error = new CaptureFormatError('io', ioMessage(err, file), stream.bytesIn, stream.packets + 1, file);
      return summary;
    } else {
      throw e;
    }
  } finally {
    if (typeof it.return === 'function' && (summary.stoppedEarly || stream.error)) {
      await it.return().catch(() => undefined);
    }
  }
  finishSummary(summary, stream);
  return summary;
}

function finishSummary(summary: CaptureSummary, stream: CaptureStream): void {
  summary.format = stream.format;
  summary.packets = stream.packets;
  summary.captureBytes = stream.bytesIn;
  summary.interfaces = stream.interfaces;
  summary.error = stream.error;
}

function toBytes(c: unknown): Uint8Array {
  if (c instanceof Uint8Array) return c;
  if (typeof c === 'string') return Buffer.from(c, 'latin1');
  throw new TypeError('capture stream yielded something other than bytes');
}

function isIoError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

function ioMessage(err: NodeJS.ErrnoException, file: string): string {
  switch (err.code) {
    case 'ENOENT':
      return `no such file`;
    case 'EACCES':
      return `permission denied`;
    case 'EISDIR':
      return `is a directory, not a capture file`;
    default:
      return `cannot read ${file === '-' ? 'standard input' : 'file'}: ${err.message}`;
  }
}
