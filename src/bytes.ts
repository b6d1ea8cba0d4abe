/**
 * Byte readers shared by the capture readers and the decoders.
 *
 * Plain indexed reads on a Uint8Array (u32be through a DataView, see there):
 * V8 compiles these to bounds-checked loads without allocating, which is what
 * the per-packet hot path needs. Callers check lengths first; these helpers
 * never check (past the buffer's end u32be throws a RangeError where the
 * others read undefined, as 0).
 */

export function u16be(b: Uint8Array, o: number): number {
  return ((b[o]! << 8) | b[o + 1]!) >>> 0;
}

export function u16le(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8)) >>> 0;
}

/** A DataView of the last buffer read through `view` (readers reuse one buffer per chunk). */
let viewed: Uint8Array = new Uint8Array(0);
let viewedAs: DataView = new DataView(viewed.buffer);

/** A DataView over `b` (the same one while `b` is the same buffer). */
export function view(b: Uint8Array): DataView {
  if (b !== viewed) {
    viewed = b;
    viewedAs = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  return viewedAs;
}

/**
 * Through a DataView: one load, and a function small enough that V8 always inlines it. The
 * shifts and ors it replaced were too big to inline past the decoder's inlining budget, and
 * a word above 2^31 returned from a call is a heap number: one per address on every packet.
 */
export function u32be(b: Uint8Array, o: number): number {
  return view(b).getUint32(o);
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

export function hex(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end && i < b.length; i++) s += (b[i]! < 16 ? '0' : '') + b[i]!.toString(16);
  return s;
}
