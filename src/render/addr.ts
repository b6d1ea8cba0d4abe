/** Address and number formatting, made only at render time. */
import ipaddr from 'ipaddr.js';

export function ipv4String(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

/** RFC 5952 text (compressed, lowercase), as Wireshark and tcpdump print it. */
export function ipv6String(w: Uint32Array): string {
  const parts = [w[0]! >>> 16, w[0]! & 0xffff, w[1]! >>> 16, w[1]! & 0xffff, w[2]! >>> 16, w[2]! & 0xffff, w[3]! >>> 16, w[3]! & 0xffff];
  return new ipaddr.IPv6(parts).toRFC5952String();
}

export function macString(m: number): string {
  if (m < 0) return '';
  const hi = Math.floor(m / 0x100000000);
  const lo = m >>> 0;
  const h = (x: number): string => x.toString(16).padStart(2, '0');
  return `${h(hi >>> 8)}:${h(hi & 255)}:${h(lo >>> 24)}:${h((lo >>> 16) & 255)}:${h((lo >>> 8) & 255)}:${h(lo & 255)}`;
}

export function hex16(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

/** "1368908504.837063000" → UTC time of day, tcpdump style. */
export function timeOfDay(sec: number, nsec: number, digits = 6): string {
  const d = new Date(sec * 1000);
  const frac = String(nsec).padStart(9, '0').slice(0, digits);
  const p = (x: number): string => String(x).padStart(2, '0');
  return `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${frac}`;
}

export function isoTime(sec: number, nsec: number): string {
  const d = new Date(sec * 1000);
  if (Number.isNaN(d.getTime())) return '';
  return d.toISOString().replace(/\.\d{3}Z$/, '.' + String(nsec).padStart(9, '0') + 'Z');
}
