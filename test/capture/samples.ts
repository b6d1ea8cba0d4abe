/** Small built captures shared by several test files. */
import { concat, customBlock, epb, idb, isb, nrb, opt, payload, pb, pcapFile, shb, spb } from './build.js';

/**
 * Three sections (LE, BE, LE) with six interfaces, every packet block type and
 * skippable blocks in between. tshark 4.0 reads the same timestamps and
 * lengths from this file (frame.time_epoch / cap_len / len), see build.ts.
 */
export function multiSection(): Uint8Array {
  return concat(
    shb({ order: 'le', options: [opt.text(4, 'podpath test builder')] }),
    idb('le', { linkType: 1, snapLen: 0, name: 'eth0', description: 'underlay', tsresol: 9 }),
    idb('le', { linkType: 101, snapLen: 256, name: 'tunl0', tsresol: 6, tsoffset: 1000n }),
    epb('le', { ifId: 0, ts: 1_700_000_000_123_456_789n, data: payload(64, 4), wireLen: 100, flags: 1 }),
    customBlock('le'),
    epb('le', { ifId: 1, ts: 1_700_000_000_654_321n, data: payload(33, 5), flags: 2 }),
    nrb('le', [10, 0, 0, 1], 'node-a'),
    isb('le', 0, 5n),
    shb({ order: 'be' }),
    idb('be', { linkType: 1, snapLen: 40, name: 'vxlan.calico', description: 'overlay', tsresol: 0x88 }),
    idb('be', { linkType: 113, name: 'any' }),
    epb('be', { ifId: 0, ts: (1_700_000_002n << 8n) + 129n, data: payload(40, 6), wireLen: 90 }),
    spb('be', { data: payload(40, 7), wireLen: 70 }),
    pb('be', { ifId: 1, ts: 1_700_000_003_000_007n, data: payload(20, 8), wireLen: 20 }),
    customBlock('be', { copy: false }),
    epb('be', { ifId: 1, ts: 1_700_000_004_000_001n, data: payload(5, 9) }),
    shb({ order: 'le', minor: 2 }),
    idb('le', { linkType: 1, name: 'eth1', tsresol: 0x94 }),
    epb('le', { ifId: 0, ts: (1_700_000_005n << 20n) + 524_288n, data: payload(10, 10) }),
    idb('le', { linkType: 1, name: 'big', tsresol: 9, tsoffset: -100n }),
    epb('le', { ifId: 1, ts: 0xffff_ffff_ffff_ffffn, data: payload(10, 11) }),
  );
}

/** A little-endian microsecond pcap with records of assorted sizes (0 to 1514 bytes). */
export function smallPcap(): Uint8Array {
  const sizes = [60, 0, 1, 1514, 42, 3, 98];
  return pcapFile(
    { order: 'le', snapLen: 65535 },
    sizes.map((n, i) => ({ sec: 1_700_000_000 + i, frac: i * 1111, data: payload(n, i + 1), wireLen: n + (i % 2) * 10 })),
  );
}

/** A big-endian nanosecond pcap. */
export function smallPcapBeNs(): Uint8Array {
  return pcapFile(
    { order: 'be', nanosecond: true, snapLen: 256, linkTypeField: 101 },
    [5, 17, 256, 4].map((n, i) => ({ sec: 1_600_000_000 + i, frac: 999_999_000 + i, data: payload(n, i + 7) })),
  );
}

/** A one-section pcapng with two interfaces, flags, an SPB and skipped blocks. */
export function smallPcapng(): Uint8Array {
  return concat(
    shb({ order: 'be', options: [opt.text(4, 'small')] }),
    idb('be', { linkType: 1, name: 'eth0', tsresol: 9 }),
    epb('be', { ifId: 0, ts: 1_700_000_000_000_000_001n, data: payload(14, 1), flags: 1 }),
    idb('be', { linkType: 113, name: 'any', snapLen: 64 }),
    customBlock('be'),
    epb('be', { ifId: 1, ts: 1_700_000_000_000_002n, data: payload(61, 2), wireLen: 1000, flags: 2 }),
    spb('be', { data: payload(20, 3), wireLen: 20 }),
    isb('be', 1, 3n),
    pb('be', { ifId: 1, ts: 1_700_000_000_000_003n, data: payload(2, 4) }),
  );
}
