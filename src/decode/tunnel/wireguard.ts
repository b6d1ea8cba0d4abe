/**
 * WireGuard, recognised only: the payload is encrypted.
 *
 * | type (1) | reserved zero (3) | ...
 * type 1 handshake initiation (148 bytes): sender index at 4
 * type 2 handshake response (92 bytes): sender index at 4, receiver index at 8
 * type 3 cookie reply (64 bytes): receiver index at 4
 * type 4 transport data (32 + bytes): receiver index at 4
 * Indices are little-endian. Anything else on the port is not WireGuard.
 */
import { view } from '../../bytes.js';
import { addLayer, type Cursor, Next } from '../cursor.js';
import { type PacketView, Proto } from '../packet.js';

export const WIREGUARD_PORTS = [51820, 51821];

const SIZE = [0, 148, 92, 64, 32];

/** True when the UDP payload at the cursor has WireGuard's shape. */
export function looksLikeWireguard(b: Uint8Array, o: number, end: number): boolean {
  if (end - o < 4) return false;
  const type = b[o]!;
  if (type < 1 || type > 4 || b[o + 1] !== 0 || b[o + 2] !== 0 || b[o + 3] !== 0) return false;
  const len = end - o;
  return type === 4 ? len >= 32 : len === SIZE[type];
}

export function decodeWireguard(pv: PacketView, cur: Cursor, b: Uint8Array): Next {
  const o = cur.off;
  const l = addLayer(pv, cur, Proto.Wireguard, 4);
  if (!l) return Next.Done;
  const type = b[o]!;
  l.wgType = type;
  // The receiver index (the response's own index comes first in it), little-endian. Read
  // through the DataView (an inlined load): a random index is above 2^31 half the time, and
  // returned from u32le, a call V8 did not always inline, it was a heap number a packet.
  l.wgReceiver = view(b).getUint32(type === 2 ? o + 8 : o + 4, true);
  l.payloadLength = cur.end - o;
  return Next.Done;
}
