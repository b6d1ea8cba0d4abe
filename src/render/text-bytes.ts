/**
 * Text written straight into a reused buffer as UTF-8 bytes, for output made
 * per packet (`podpath packets --json`): numbers as digits, addresses and
 * MACs digit by digit, no string or object per field. Building each line as
 * a string (template literals, one string per number) spent as much time in
 * the garbage collector as in the formatting.
 */
import { ipv6String } from './addr.js';

const HEX = '0123456789abcdef';

export class TextBytes {
  /** The bytes written: buf[0, length). */
  buf: Buffer;
  length = 0;

  constructor(size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Room for `n` more bytes. */
  room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const b = Buffer.allocUnsafe(size);
    this.buf.copy(b, 0, 0, this.length);
    this.buf = b;
  }

  byte(c: number): void {
    this.room(1);
    this.buf[this.length++] = c;
  }

  /** A string of ASCII characters only (what podpath's own formatters make). */
  ascii(s: string): void {
    const n = s.length;
    this.room(n);
    const b = this.buf;
    let at = this.length;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    this.length = at;
  }

  /** Any string, as UTF-8. */
  text(s: string): void {
    this.room(s.length * 3);
    this.length += this.buf.write(s, this.length, 'utf8');
  }

  /** A number as JSON writes it (JSON.stringify: NaN and the infinities as null). */
  num(v: number): void {
    if (v >= 0 && v <= 0xffffffff && v === v >>> 0) this.uint(v >>> 0);
    else this.ascii(Number.isFinite(v) ? String(v) : 'null');
  }

  /** A number as String (and a template literal) writes it. */
  dec(v: number): void {
    if (v >= 0 && v <= 0xffffffff && v === v >>> 0) this.uint(v >>> 0);
    else this.ascii(String(v));
  }

  /** `String(v).padStart(width)`: the number as dec writes it, spaces in front. */
  decPad(v: number, width: number): void {
    if (v >= 0 && v <= 0xffffffff && v === v >>> 0) {
      for (let pad = width - digitsOf(v); pad > 0; pad--) this.byte(32);
      this.uint(v >>> 0);
    } else this.ascii(String(v).padStart(width));
  }

  /** `label` (ASCII), then the number `v` as String writes it (dec). */
  decField(label: string, v: number): void {
    this.ascii(label);
    this.dec(v);
  }

  /** `key` (ASCII: a JSON key with its comma and colon), then the number `v` (num). */
  numField(key: string, v: number): void {
    this.ascii(key);
    this.num(v);
  }

  /** An integer in [0, 2^32), in decimal. */
  private uint(v: number): void {
    this.room(10);
    const b = this.buf;
    let at = this.length + digitsOf(v);
    this.length = at;
    do {
      const q = (v / 10) >>> 0;
      b[--at] = 48 + v - q * 10;
      v = q;
    } while (v > 0);
  }

  /** Two lowercase hex digits of byte `v`. */
  private hex2(v: number): void {
    const b = this.buf;
    b[this.length++] = HEX.charCodeAt(v >>> 4);
    b[this.length++] = HEX.charCodeAt(v & 15);
  }

  /** render/addr.ts's ipv4String of `a`. */
  ipv4(a: number): void {
    this.num(a >>> 24);
    this.byte(46);
    this.num((a >>> 16) & 255);
    this.byte(46);
    this.num((a >>> 8) & 255);
    this.byte(46);
    this.num(a & 255);
  }

  /** render/addr.ts's ipv6String of `w`. */
  ipv6(w: ArrayLike<number>): void {
    this.ascii(ipv6String(w));
  }

  /** render/addr.ts's macString of `m` (a 48-bit number; nothing for -1). */
  mac(m: number): void {
    if (m < 0) return;
    this.room(17);
    const hi = Math.floor(m / 0x100000000);
    const lo = m >>> 0;
    this.hex2((hi >>> 8) & 255);
    this.buf[this.length++] = 58;
    this.hex2(hi & 255);
    for (let shift = 24; shift >= 0; shift -= 8) {
      this.buf[this.length++] = 58;
      this.hex2((lo >>> shift) & 255);
    }
  }

  /** render/addr.ts's hex16 of `n` (0x and at least four digits). */
  hex16(n: number): void {
    if (n < 0 || n > 0xffff || n !== (n | 0)) {
      this.ascii('0x' + n.toString(16).padStart(4, '0'));
      return;
    }
    this.room(6);
    this.buf[this.length++] = 48;
    this.buf[this.length++] = 120;
    this.hex2(n >>> 8);
    this.hex2(n & 255);
  }

  /** `nsec` as nine digits, zeros in front (an integer in [0, 10^9)); otherwise as String gives it, padded. */
  nine(nsec: number): void {
    if (nsec >= 0 && nsec < 1e9 && nsec === (nsec | 0)) {
      this.room(9);
      const b = this.buf;
      let v = nsec;
      for (let at = this.length + 8; at >= this.length; at--) {
        const q = (v / 10) | 0;
        b[at] = 48 + v - q * 10;
        v = q;
      }
      this.length += 9;
    } else this.ascii(String(nsec).padStart(9, '0'));
  }

  /** Forget the last `n` bytes written. */
  drop(n: number): void {
    this.length -= n;
  }

  /** The bytes written, as a buffer of their own; the writer starts again empty. */
  take(): Buffer {
    const out = Buffer.allocUnsafe(this.length);
    this.buf.copy(out, 0, 0, this.length);
    this.length = 0;
    return out;
  }

  /** The bytes written, as a string (UTF-8); the writer starts again empty. */
  takeString(): string {
    const s = this.buf.toString('utf8', 0, this.length);
    this.length = 0;
    return s;
  }
}

/** Decimal digits of an integer in [0, 2^32). */
function digitsOf(v: number): number {
  let n = 1;
  for (let x = v; x >= 10; x = (x / 10) >>> 0) n++;
  return n;
}
