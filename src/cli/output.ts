/**
 * Buffered stdout for per-packet output: one write per ~64 KiB instead of
 * one per line, waiting for 'drain' so memory stays flat on a slow pipe, and
 * a reader that goes away (`podpath packets x | head`) ends the run quietly.
 */
import type { Writable } from 'node:stream';

export class ClosedOutput extends Error {}

export class Output {
  private parts: string[] = [];
  private size = 0;
  /** What the stream's last write answered (false: `flush` waits for 'drain'). */
  private ok = true;
  closed = false;

  constructor(private readonly stream: Writable = process.stdout) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') this.closed = true;
      else throw e;
    });
  }

  line(s: string): void {
    if (this.closed) throw new ClosedOutput();
    this.parts.push(s, '\n');
    this.size += s.length + 1;
    if (this.size >= 65536) this.flushSync();
  }

  write(s: string): void {
    if (this.closed) throw new ClosedOutput();
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 65536) this.flushSync();
  }

  /** Bytes made elsewhere (TextBytes.take), after any lines before them. */
  bytes(b: Uint8Array): void {
    if (this.closed) throw new ClosedOutput();
    this.flushSync();
    if (b.length > 0) this.ok = this.stream.write(b);
  }

  private flushSync(): void {
    if (this.size === 0) return;
    const data = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.ok = this.stream.write(data);
  }

  /** Flush and wait until the stream takes more. */
  async flush(): Promise<void> {
    this.flushSync();
    const ok = this.ok;
    this.ok = true;
    if (this.closed) throw new ClosedOutput();
    if (!ok && !this.closed) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.off('drain', done);
          this.stream.off('close', done);
          this.stream.off('error', done);
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('close', done);
        this.stream.once('error', done);
      });
      if (this.closed) throw new ClosedOutput();
    }
  }

  /** Flush everything and wait for the stream to accept it (end of run). */
  async end(): Promise<void> {
    await this.flush();
  }
}
