/**
 * Annotated hex for test vectors, node_pcap style:
 *
 *   hex`
 *     # Ethernet: dst 02:00:00:00:00:02, src 02:00:00:00:00:01, type 0x0800
 *     02 00 00 00 00 02  02 00 00 00 00 01  08 00
 *     ${innerPacket}
 *   `
 *
 * `#` starts a comment that runs to the end of the line; whitespace is
 * ignored; an interpolated Uint8Array is spliced in as bytes. Anything else
 * (odd digit count, stray characters, an interpolation inside a comment)
 * throws, so a typo in a vector fails loudly instead of shifting every field.
 */

export function hex(strings: TemplateStringsArray, ...values: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < strings.length; i++) {
    const raw = strings.raw[i]!;
    const lastNewline = raw.lastIndexOf('\n');
    if (i < values.length && raw.indexOf('#', lastNewline + 1) >= 0) {
      throw new Error(`hex: interpolation #${i} sits inside a # comment`);
    }
    parts.push(parseHex(raw));
    if (i < values.length) parts.push(values[i]!);
  }
  return concat(...parts);
}

function parseHex(text: string): Uint8Array {
  const digits = text.replace(/#[^\n]*/g, '').replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) throw new Error(`hex: stray characters in ${JSON.stringify(digits)}`);
  if (digits.length % 2 !== 0) throw new Error(`hex: odd number of digits in ${JSON.stringify(digits)}`);
  const out = new Uint8Array(digits.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(digits.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** `n` bytes of `value`: opaque payloads (WireGuard ciphertext, padding) the decoder must not read. */
export function fill(n: number, value: number): Uint8Array {
  return new Uint8Array(n).fill(value);
}

/** Bytes as spaced hex, for failure messages. */
export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
