/**
 * Byte readers shared by the capture readers and the decoders.
 *
 * Plain indexed reads on a Uint8Array: V8 compiles these to bounds-checked
 * loads without allocating, which is what the per-packet hot path needs.
 * Callers check lengths first; these helpers never check.
 */

export function u16be(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) >>> 0;
}

export function u16le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8)) >>> 0;
}

export function u32be(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

export function u32le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}

/**
 * A 32-bit word's bits as a signed integer, for words used only as bits (a timestamp's low
 * word): V8 returns and passes those unboxed, where an unsigned word above 2^31 is a heap
 * number whenever a call is not inlined.
 */
export function i32(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24) : (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
}

export function u16(b: Uint8Array, o: number, le: boolean): number {
  return le ? u16le(b, o) : u16be(b, o);
}

export function u32(b: Uint8Array, o: number, le: boolean): number {
  return le ? u32le(b, o) : u32be(b, o);
}

/** 48-bit MAC address as a number (exact: 2^48 < 2^53). */
export function mac48(b: Uint8Array, o: number): number {
  return u16be(b, o) * 0x100000000 + u32be(b, o + 2);
}

export function hex(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}
