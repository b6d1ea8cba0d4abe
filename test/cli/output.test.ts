/**
 * Output: lines and bytes reach the stream in the order they were given,
 * `flush` waits for 'drain' when the stream asked for it, and a closed
 * stream ends the writer (ClosedOutput).
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ClosedOutput, Output } from '../../src/cli/output.js';

/** A stream that keeps what it is given and takes it slowly (a 4-byte buffer, one write per tick). */
function slowStream(): { stream: Writable; text: () => string } {
  const got: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 4,
    write(chunk: Buffer, _enc, done) {
      got.push(chunk);
      setImmediate(done);
    },
  });
  return { stream, text: () => Buffer.concat(got).toString('utf8') };
}

describe('Output', () => {
  it('keeps lines and bytes in order, and waits for drain before going on', async () => {
    const { stream, text } = slowStream();
    const out = new Output(stream);
    let drained = 0;
    stream.on('drain', () => drained++);
    out.line('ab');
    // The bytes' write is the one past the stream's 4 bytes: flush comes back only after it drained.
    out.bytes(Buffer.from('cdefgh\n'));
    await out.flush();
    expect(drained).toBe(1);
    out.line('thrée');
    out.bytes(Buffer.from('four\n'));
    out.bytes(new Uint8Array(0));
    await out.end();
    expect(drained).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(text()).toBe('ab\ncdefgh\nthrée\nfour\n');
  });

  it('throws ClosedOutput once the reader went away', async () => {
    const stream = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('gone'), { code: 'EPIPE' }));
      },
    });
    const out = new Output(stream);
    out.bytes(Buffer.from('x\n'));
    await new Promise((r) => setImmediate(r));
    expect(out.closed).toBe(true);
    expect(() => out.bytes(Buffer.from('y\n'))).toThrow(ClosedOutput);
    expect(() => out.line('y')).toThrow(ClosedOutput);
  });
});
