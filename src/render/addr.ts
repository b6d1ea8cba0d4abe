/** Address and number formatting, made only at render time, and IPv6 text read back without ipaddr.js (parseIpv6Groups). */

export function ipv4String(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** The eight 16-bit groups of the address being formatted or parsed (no array per address). */
const groups = new Uint16Array(8);

/**
 * RFC 5952 text (compressed, lowercase), as Wireshark and tcpdump print it:
 * the text of ipaddr.js's toRFC5952String (test/render/addr.test.ts holds it
 * to that), written directly. Through ipaddr.js (an object, a normalized
 * string, two regular expressions) the 16,384 pod addresses of an IPv6
 * capture's report took ~20 ms.
 */
export function ipv6String(w: ArrayLike<number>): string {
  for (let i = 0; i < 4; i++) {
    groups[2 * i] = w[i]! >>> 16;
    groups[2 * i + 1] = w[i]! & 0xffff;
  }
  return groupsString(groups);
}

/** ipv6String of an address as 16 bytes (ipaddr.js toByteArray). */
export function ipv6BytesString(b: ArrayLike<number>): string {
  for (let i = 0; i < 8; i++) groups[i] = (b[2 * i]! << 8) | b[2 * i + 1]!;
  return groupsString(groups);
}

/** RFC 5952, 4.2: the longest run of two or more zero groups (the first, on a tie) becomes "::". */
function groupsString(g: Uint16Array): string {
  let best = -1;
  let bestLength = 1;
  let run = 0;
  for (let i = 0; i < 8; i++) {
    if (g[i] !== 0) run = 0;
    else if (++run > bestLength) {
      bestLength = run;
      best = i - run + 1;
    }
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      s += '::';
      i += bestLength - 1;
      continue;
    }
    if (i > 0 && i !== best + bestLength) s += ':';
    s += g[i]!.toString(16);
  }
  return s;
}

/**
 * The 16 bytes of an IPv6 address written as hexadecimal groups only (1-4
 * digits each, at most one "::"), as ipv6String and most tools write it;
 * false for anything else (an IPv4 tail, a zone, "/bits"), which callers
 * give to ipaddr.js. Into `out` (16 bytes), so reading one makes no object.
 */
export function parseIpv6Groups(text: string, out: Uint8Array | number[]): boolean {
  let n = 0; // groups read
  let gap = -1; // the group index at which "::" stands
  let value = 0;
  let digits = 0;
  const len = text.length;
  if (len < 2) return false;
  let i = 0;
  if (text.charCodeAt(0) === 58) {
    // Only "::" may start the text.
    if (text.charCodeAt(1) !== 58) return false;
    gap = 0;
    i = 2;
    if (i === len) return fillGroups(out, 0, 0);
  }
  for (; i < len; i++) {
    const c = text.charCodeAt(i);
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (c >= 97 && c <= 102) d = c - 87;
    else if (c >= 65 && c <= 70) d = c - 55;
    else if (c === 58) {
      if (digits === 0) return false;
      groups[n++] = value; // past 8 groups: not stored, and fillGroups refuses the count
      value = 0;
      digits = 0;
      if (i + 1 < len && text.charCodeAt(i + 1) === 58) {
        if (gap >= 0) return false;
        gap = n;
        i++;
        if (i + 1 === len) return fillGroups(out, n, gap);
      } else if (i + 1 === len) {
        return false; // a single ":" at the end
      }
      continue;
    } else return false;
    if (++digits > 4) return false;
    value = value * 16 + d;
  }
  if (digits === 0) return false;
  groups[n++] = value;
  return fillGroups(out, n, gap);
}

/** parseIpv6Groups' end: `n` groups read, "::" before group `gap` (-1: none) standing for the rest. */
function fillGroups(out: Uint8Array | number[], n: number, gap: number): boolean {
  if (gap < 0 ? n !== 8 : n > 7) return false;
  const zeros = 8 - n;
  for (let j = 0, k = 0; j < 8; j++) {
    const v = gap >= 0 && j >= gap && j < gap + zeros ? 0 : groups[k++]!;
    out[2 * j] = v >>> 8;
    out[2 * j + 1] = v & 255;
  }
  return true;
}

/** The 256 bytes as two lowercase hex digits each. */
const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function macString(m: number): string {
  if (m < 0) return '';
  const hi = Math.floor(m / 0x100000000);
  const lo = m >>> 0;
  return `${HEX2[(hi >>> 8) & 255]}:${HEX2[hi & 255]}:${HEX2[lo >>> 24]}:${HEX2[(lo >>> 16) & 255]}:${HEX2[(lo >>> 8) & 255]}:${HEX2[lo & 255]}`;
}

export function hex16(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

/**
 * The text of the last second formatted (daySecond's "hh:mm:ss", isoSecond's date and time up
 * to the point): packets come many to a second, and a Date per packet was most of the cost of
 * `podpath packets`.
 */
let daySec = NaN;
let dayText = '';
let isoSec = NaN;
let isoText = '';

/** The UTC time of day, tcpdump style, up to and with the seconds' point ("22:13:20."). */
export function daySecond(sec: number): string {
  if (sec !== daySec) {
    const d = new Date(sec * 1000);
    const p = (x: number): string => String(x).padStart(2, '0');
    dayText = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.`;
    daySec = sec;
  }
  return dayText;
}

/** A time's ISO 8601 text (UTC) up to and with the seconds' point ("2023-11-14T22:13:20."); '' for a time Date cannot hold. */
export function isoSecond(sec: number): string {
  if (sec !== isoSec) {
    const d = new Date(sec * 1000);
    isoText = Number.isNaN(d.getTime()) ? '' : d.toISOString().replace(/\.\d{3}Z$/, '.');
    isoSec = sec;
  }
  return isoText;
}
