/**
 * pcapng: sections and byte orders, interfaces, timestamp resolutions and
 * offsets, the three packet block types, skipped blocks, epb_flags, and the
 * real files in the corpus. Fixture values were read with tshark 4.0.17.
 *
 * One deliberate difference from tshark 4.0: in a file with several sections
 * it attributes packets of later sections to the first section's interfaces
 * (its section-local interface ids are not mapped). podpath numbers
 * interfaces across the file, so packets are expected on the later
 * sections' own interfaces (checked against the block layout).
 */
import { describe, expect, it } from 'vitest';
import { DIRECTION_IN, DIRECTION_OUT, DIRECTION_UNKNOWN } from '../../src/capture/record.js';
import {
  BT_DSB,
  block,
  concat,
  customBlock,
  epb,
  idb,
  isb,
  nrb,
  opt,
  payload,
  pb,
  shb,
  spb,
  type ByteOrder,
} from './build.js';
import { fixture, readBytes } from './helpers.js';
import { multiSection } from './samples.js';

describe('pcapng: several sections in mixed byte order', () => {
  const r = readBytes(multiSection());

  it('reads every packet without error', () => {
    expect(r.error).toBeNull();
    expect(r.format).toBe('pcapng');
    expect(r.packets).toBe(8);
  });

  it('numbers interfaces across the file and keeps their names, link types and sections', () => {
    expect(r.interfaces.map((i) => [i.id, i.name, i.description, i.linkType, i.snapLen, i.tsUnitsPerSecond, i.section])).toEqual([
      [0, 'eth0', 'underlay', 1, 0, 1e9, 0],
      [1, 'tunl0', null, 101, 256, 1e6, 0],
      [2, 'vxlan.calico', 'overlay', 1, 40, 256, 1],
      [3, 'any', null, 113, 0, 1e6, 1],
      [4, 'eth1', null, 1, 0, 2 ** 20, 2],
      [5, 'big', null, 1, 0, 1e9, 2],
    ]);
  });

  it('every record knows its interface, with exact timestamps (same values as tshark)', () => {
    expect(r.records.map((d) => [d.index, d.interfaceId, d.ifaceName, d.linkType, d.tsSec, d.tsNsec, d.capLen, d.wireLen])).toEqual([
      [1, 0, 'eth0', 1, 1_700_000_000, 123_456_789, 64, 100], // ns units, > 2^53 of them
      [2, 1, 'tunl0', 101, 1_700_001_000, 654_321_000, 33, 33], // µs + if_tsoffset 1000 s
      [3, 2, 'vxlan.calico', 1, 1_700_000_002, 503_906_250, 40, 90], // 129/256 s
      [4, 2, 'vxlan.calico', 1, 0, 0, 40, 70], // SPB: section's interface 0, no timestamp
      [5, 3, 'any', 113, 1_700_000_003, 7_000, 20, 20], // obsolete PB
      [6, 3, 'any', 113, 1_700_000_004, 1_000, 5, 5],
      [7, 4, 'eth1', 1, 1_700_000_005, 500_000_000, 10, 10], // 2^-20 units
      [8, 5, 'big', 1, 18_446_743_973, 709_551_615, 10, 10], // 2^64 - 1 ns, if_tsoffset -100
    ]);
  });

  it('records carry their block offsets and bytes', () => {
    const bytes = multiSection();
    for (const d of r.records) {
      // Every packet block here starts with a type word 6, 3 or 2 in its section's order.
      const type = bytes[d.fileOffset]! | bytes[d.fileOffset + 3]!;
      expect([2, 3, 6]).toContain(type);
    }
    expect(r.records[0]!.bytes).toBe(Buffer.from(payload(64, 4)).toString('hex'));
    expect(r.records[3]!.bytes).toBe(Buffer.from(payload(40, 7)).toString('hex'));
    expect(r.records[5]!.bytes).toBe(Buffer.from(payload(5, 9)).toString('hex'));
  });

  it('interface ids are per section: a later section cannot use an earlier one\'s interfaces', () => {
    const bytes = concat(
      shb({ order: 'le' }),
      idb('le', { name: 'a' }),
      idb('le', { name: 'b' }),
      epb('le', { ifId: 1, ts: 1n, data: payload(8) }),
      shb({ order: 'be' }),
      idb('be', { name: 'c' }),
      epb('be', { ifId: 0, ts: 2n, data: payload(8) }),
      epb('be', { ifId: 1, ts: 3n, data: payload(8) }),
    );
    const res = readBytes(bytes, 'whole', 'sections.pcapng');
    expect(res.records.map((d) => [d.interfaceId, d.ifaceName])).toEqual([
      [1, 'b'],
      [2, 'c'],
    ]);
    expect(res.error).toMatchObject({ code: 'bad_interface', packet: 3 });
  });
});

describe('pcapng: timestamp resolution and offset', () => {
  function one(order: ByteOrder, iface: Parameters<typeof idb>[1], ts: bigint): { tsSec: number; tsNsec: number; units: number } {
    const res = readBytes(concat(shb({ order }), idb(order, iface), epb(order, { ifId: 0, ts, data: payload(4) })));
    expect(res.error).toBeNull();
    return { tsSec: res.records[0]!.tsSec, tsNsec: res.records[0]!.tsNsec, units: res.interfaces[0]!.tsUnitsPerSecond };
  }

  it.each(['le', 'be'] as const)('default is microseconds (%s)', (order) => {
    expect(one(order, {}, 1_700_000_000_999_999n)).toEqual({ tsSec: 1_700_000_000, tsNsec: 999_999_000, units: 1e6 });
  });

  it.each(['le', 'be'] as const)('if_tsresol 9: nanoseconds, exact beyond 2^53 units (%s)', (order) => {
    expect(one(order, { tsresol: 9 }, 1_767_663_089_500_330_493n)).toEqual({ tsSec: 1_767_663_089, tsNsec: 500_330_493, units: 1e9 });
    // 2^53 + 1 ns: a double cannot hold the count, the reader must not round it.
    expect(one(order, { tsresol: 9 }, 2n ** 53n + 1n)).toEqual({ tsSec: 9_007_199, tsNsec: 254_740_993, units: 1e9 });
    expect(one(order, { tsresol: 9 }, 2n ** 64n - 1n)).toEqual({ tsSec: 18_446_744_073, tsNsec: 709_551_615, units: 1e9 });
  });

  it.each(['le', 'be'] as const)('if_tsresol 0x88: 2^-8 second units (%s)', (order) => {
    expect(one(order, { tsresol: 0x88 }, (1_519_128_000n << 8n) + 50n)).toEqual({ tsSec: 1_519_128_000, tsNsec: 195_312_500, units: 256 });
  });

  it('other resolutions: 10^-3, 10^-12, 2^-10, 2^-30, 2^-40', () => {
    expect(one('le', { tsresol: 3 }, 1_700_000_000_123n)).toMatchObject({ tsSec: 1_700_000_000, tsNsec: 123_000_000 });
    expect(one('le', { tsresol: 12 }, 1_700_000_000_123_456_789_012n % 2n ** 64n)).toEqual({
      tsSec: Number((1_700_000_000_123_456_789_012n % 2n ** 64n) / 10n ** 12n),
      tsNsec: Number(((1_700_000_000_123_456_789_012n % 2n ** 64n) % 10n ** 12n) / 1000n),
      units: 1e12,
    });
    expect(one('be', { tsresol: 0x8a }, (5n << 10n) + 1023n)).toMatchObject({ tsSec: 5, tsNsec: 999_023_437 });
    expect(one('be', { tsresol: 0x9e }, (7n << 30n) + 1n)).toMatchObject({ tsSec: 7, tsNsec: 0 });
    // 2^-40: 1 s + (2^40 - 1) units = 1.999999999999 s, floored to ns.
    expect(one('le', { tsresol: 0xa8 }, (1n << 40n) + (1n << 40n) - 1n)).toMatchObject({ tsSec: 1, tsNsec: 999_999_999 });
  });

  it('an unsupported if_tsresol is an option error', () => {
    const res = readBytes(concat(shb({ order: 'le' }), idb('le', { tsresol: 0xff })), 'whole', 'res.pcapng');
    expect(res.error).toMatchObject({ code: 'bad_option', packet: 1 });
    expect(res.error!.message).toContain('0xff');
  });

  it.each(['le', 'be'] as const)('if_tsoffset adds whole seconds, positive or negative (%s)', (order) => {
    expect(one(order, { tsoffset: 1_000_000_000n }, 700_000_000_250_000n)).toMatchObject({ tsSec: 1_700_000_000, tsNsec: 250_000_000 });
    expect(one(order, { tsoffset: -3600n, tsresol: 9 }, 1_700_003_600_000_000_001n)).toMatchObject({ tsSec: 1_700_000_000, tsNsec: 1 });
    // Offsets over 2^32 seconds use the high word.
    expect(one(order, { tsoffset: 2n ** 33n }, 0n)).toMatchObject({ tsSec: 2 ** 33, tsNsec: 0 });
  });
});

describe('pcapng: packet blocks', () => {
  it('SPB: captured length = min(original length, snaplen, what the block holds)', () => {
    const bytes = concat(
      shb({ order: 'le' }),
      idb('le', { snapLen: 50, name: 'eth0' }),
      spb('le', { data: payload(40, 1), wireLen: 37 }), // origlen smallest (block padded to 40)
      spb('le', { data: payload(60, 2), wireLen: 1500 }), // snaplen smallest
      // Block smallest. (The reader can only see the padded length, so the
      // data here is a multiple of 4.)
      spb('le', { data: payload(32, 3), wireLen: 1500 }),
      shb({ order: 'be' }),
      idb('be', { snapLen: 0, name: 'eth1' }),
      spb('be', { data: payload(24, 4), wireLen: 9000 }), // snaplen 0 means no limit
    );
    const r = readBytes(bytes);
    expect(r.error).toBeNull();
    expect(r.records.map((d) => [d.interfaceId, d.capLen, d.wireLen, d.tsSec, d.tsNsec])).toEqual([
      [0, 37, 37, 0, 0],
      [0, 50, 1500, 0, 0],
      [0, 32, 1500, 0, 0],
      [1, 24, 9000, 0, 0],
    ]);
    expect(r.records[0]!.bytes).toBe(Buffer.from(payload(37, 1)).toString('hex'));
    expect(r.records[1]!.bytes).toBe(Buffer.from(payload(50, 2)).toString('hex'));
  });

  it('SPB before any IDB in its section is an interface error', () => {
    const r = readBytes(concat(shb({ order: 'le' }), spb('le', { data: payload(8) })), 'whole', 'spb.pcapng');
    expect(r.error).toMatchObject({ code: 'bad_interface', packet: 1 });
  });

  it('obsolete Packet Block: 16-bit interface id, drops count, timestamp, lengths', () => {
    const bytes = concat(
      shb({ order: 'be' }),
      idb('be', { name: 'a' }),
      idb('be', { name: 'b', tsresol: 9 }),
      pb('be', { ifId: 1, drops: 7, ts: 1_000_000_000_000_000_001n, data: payload(13, 1), wireLen: 99 }),
      pb('be', { ifId: 0, ts: 5_000_001n, data: payload(3, 2), options: [opt.u32('be', 2, 1)] }),
    );
    const r = readBytes(bytes);
    expect(r.error).toBeNull();
    expect(r.records.map((d) => [d.interfaceId, d.ifaceName, d.tsSec, d.tsNsec, d.capLen, d.wireLen])).toEqual([
      [1, 'b', 1_000_000_000, 1, 13, 99],
      [0, 'a', 5, 1000, 3, 3],
    ]);
  });

  it('EPB data is padded to 4 bytes and options follow it', () => {
    const bytes = concat(
      shb({ order: 'le' }),
      idb('le'),
      epb('le', { ifId: 0, ts: 1n, data: payload(1, 1), options: [opt.text(1, 'a comment')] }),
      epb('le', { ifId: 0, ts: 2n, data: payload(7, 2) }),
    );
    const r = readBytes(bytes);
    expect(r.records.map((d) => [d.capLen, d.bytes])).toEqual([
      [1, Buffer.from(payload(1, 1)).toString('hex')],
      [7, Buffer.from(payload(7, 2)).toString('hex')],
    ]);
    // header+trailer 12, fixed fields 20, data 1 padded to 4, comment 4 + 12, opt_endofopt 4
    expect(r.records[1]!.fileOffset).toBe(r.records[0]!.fileOffset + 12 + 20 + 4 + 16 + 4);
  });
});

describe('pcapng: epb_flags direction', () => {
  it.each(['le', 'be'] as const)('inbound, outbound, unknown, and reset between packets (%s)', (order) => {
    const bytes = concat(
      shb({ order }),
      idb(order),
      epb(order, { ifId: 0, ts: 1n, data: payload(4), flags: 1 }),
      epb(order, { ifId: 0, ts: 2n, data: payload(4), flags: 2 }),
      epb(order, { ifId: 0, ts: 3n, data: payload(4) }), // no options at all
      epb(order, { ifId: 0, ts: 4n, data: payload(4), flags: 0 }),
      epb(order, { ifId: 0, ts: 5n, data: payload(4), flags: 3 }), // 3 is not a direction
      epb(order, { ifId: 0, ts: 6n, data: payload(4), flags: 0x01e0_0005 }), // inbound + reception type + FCS len
      epb(order, { ifId: 0, ts: 7n, data: payload(5), options: [opt.text(1, 'comment first'), opt.u32(order, 2, 2)] }),
      pb(order, { ifId: 0, ts: 8n, data: payload(4) }),
    );
    const r = readBytes(bytes);
    expect(r.error).toBeNull();
    expect(r.records.map((d) => d.direction)).toEqual([
      DIRECTION_IN,
      DIRECTION_OUT,
      DIRECTION_UNKNOWN,
      DIRECTION_UNKNOWN,
      DIRECTION_UNKNOWN,
      DIRECTION_IN,
      DIRECTION_OUT,
      DIRECTION_UNKNOWN,
    ]);
  });
});

describe('pcapng: blocks the reader skips', () => {
  it('NRB, ISB, DSB, custom (copy and no-copy) and unknown types are skipped by their length', () => {
    const plain = concat(shb({ order: 'le' }), idb('le', { name: 'eth0' }), epb('le', { ifId: 0, ts: 10n, data: payload(16) }));
    const noisy = concat(
      shb({ order: 'le', options: [opt.text(2, 'hw'), opt.text(3, 'os'), opt.text(4, 'app')] }),
      customBlock('le', { data: payload(33) }),
      idb('le', { name: 'eth0' }),
      nrb('le', [192, 168, 0, 1], 'router'),
      isb('le', 0, 99n),
      block('le', BT_DSB, payload(20)),
      block('le', 0x12345678, payload(3)),
      customBlock('le', { copy: false }),
      epb('le', { ifId: 0, ts: 10n, data: payload(16) }),
      block('le', 0x80000001, new Uint8Array(0)), // local-use type, empty body
    );
    const a = readBytes(plain);
    const b = readBytes(noisy);
    expect(b.error).toBeNull();
    expect(b.packets).toBe(1);
    const strip = ({ fileOffset: _o, ...rest }: (typeof a.records)[number]) => rest;
    expect(b.records.map(strip)).toEqual(a.records.map(strip));
  });
});

describe('pcapng: real files (values from tshark / capinfos)', () => {
  it('gopacket-le-test202-mixed-endian-sections.pcapng: 8 packets in 3 sections (LE, BE, LE)', () => {
    const r = readBytes(fixture('formats/gopacket-le-test202-mixed-endian-sections.pcapng'));
    expect(r.error).toBeNull();
    expect(r.packets).toBe(8);
    expect(r.interfaces.map((i) => [i.id, i.name, i.linkType, i.snapLen, i.section])).toEqual([
      [0, 'eth0', 1, 96, 0],
      [1, 'null1', 0, 0, 0],
      [2, 'silly ethernet interface 2', 1, 128, 1],
      [3, 'eth0', 1, 96, 2],
      [4, 'null1', 0, 0, 2],
    ]);
    // Block layout: section 1 (BE) starts at 928, section 2 (LE) at 2128.
    expect(r.records.map((d) => [d.index, d.fileOffset, d.interfaceId, d.capLen, d.wireLen, d.tsSec, d.tsNsec])).toEqual([
      [1, 448, 0, 96, 314, 1340954905, 298_858_000],
      [2, 600, 0, 96, 342, 1340954905, 298_858_000],
      [3, 728, 1, 168, 168, 1340954905, 301_858_000],
      [4, 1108, 2, 128, 314, 0, 0], // SPB
      [5, 1252, 2, 128, 342, 1340954905, 298_858_000],
      [6, 1824, 2, 128, 314, 0, 0], // SPB
      [7, 1968, 2, 128, 342, 1340954905, 298_858_000],
      [8, 2708, 4, 168, 168, 1340954905, 301_858_000],
    ]);
  });

  it('gopacket-le-test902-tsresol-2pow8.pcapng: if_tsresol 0x88', () => {
    const r = readBytes(fixture('formats/gopacket-le-test902-tsresol-2pow8.pcapng'));
    expect(r.interfaces).toMatchObject([{ name: 'eth0', tsUnitsPerSecond: 256 }]);
    // tshark: 1519128000.195312500  314  314
    expect(r.records.map((d) => [d.tsSec, d.tsNsec, d.capLen, d.wireLen])).toEqual([[1519128000, 195_312_500, 314, 314]]);
  });

  it('gopacket-test300-3idb.pcapng: three IDBs, every packet on the third (docker0)', () => {
    const r = readBytes(fixture('formats/gopacket-test300-3idb.pcapng'));
    expect(r.error).toBeNull();
    expect(r.interfaces.map((i) => [i.name, i.tsUnitsPerSecond])).toEqual([
      ['ens33', 1e9],
      ['ens33', 1e9],
      ['docker0', 1e9],
    ]);
    expect(r.packets).toBe(32);
    expect(r.records.every((d) => d.interfaceId === 2 && d.ifaceName === 'docker0')).toBe(true);
    expect([r.records[0]!.tsSec, r.records[0]!.tsNsec, r.records[0]!.capLen]).toEqual([1659322956, 126_474_549, 74]);
  });

  it('many_interfaces-1.pcapng: 11 named interfaces, 62 packets on en0 and 2 on lo0', () => {
    const r = readBytes(fixture('formats/many_interfaces-1.pcapng'));
    expect(r.error).toBeNull();
    expect(r.interfaces.map((i) => i.name)).toEqual(['en0', 'awdl0', 'bridge0', 'vboxnet0', 'utun0', 'en1', 'vboxnet1', 'en2', 'p2p0', 'vboxnet2', 'lo0']);
    expect(r.interfaces.map((i) => i.linkType)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 12, 1, 0]);
    expect(r.packets).toBe(64);
    const perIface = new Map<string | null, number>();
    for (const d of r.records) perIface.set(d.ifaceName, (perIface.get(d.ifaceName) ?? 0) + 1);
    expect(Object.fromEntries(perIface)).toEqual({ en0: 62, lo0: 2 });
    expect(r.records.filter((d) => d.ifaceName === 'lo0').map((d) => [d.index, d.linkType])).toEqual([
      [3, 0],
      [4, 0],
    ]);
    // tshark: 1 1439753725.701607000 en0 178; 3 1439753725.701568000 lo0 168; 64 1439753728.292345000 en0 195
    expect([r.records[0]!.tsSec, r.records[0]!.tsNsec, r.records[0]!.capLen]).toEqual([1439753725, 701_607_000, 178]);
    expect([r.records[2]!.tsSec, r.records[2]!.tsNsec, r.records[2]!.capLen]).toEqual([1439753725, 701_568_000, 168]);
    expect([r.records[63]!.tsSec, r.records[63]!.tsNsec, r.records[63]!.capLen]).toEqual([1439753728, 292_345_000, 195]);
  });

  it('pcapng-example.pcapng: lo (ns) and an unnamed SLL interface (µs, counts near 2^64)', () => {
    const r = readBytes(fixture('formats/pcapng-example.pcapng'));
    expect(r.error).toBeNull();
    expect(r.packets).toBe(159);
    expect(r.interfaces.map((i) => [i.name, i.linkType, i.tsUnitsPerSecond])).toEqual([
      ['lo', 1, 1e9],
      [null, 113, 1e6],
    ]);
    expect(r.records.filter((d) => d.interfaceId === 0)).toHaveLength(59);
    expect(r.records.filter((d) => d.interfaceId === 1)).toHaveLength(100);
    const at = (n: number) => {
      const d = r.records[n - 1]!;
      return [d.tsSec, d.tsNsec, d.capLen, d.wireLen];
    };
    expect(at(1)).toEqual([1422527998, 578_402_281, 74, 74]);
    expect(at(2)).toEqual([2894531997, 938_836_488, 74, 74]);
    expect(at(59)).toEqual([1422528033, 92_194_163, 66, 66]);
    // Microsecond counts beyond 2^53: tshark prints 18446744073204.126329000.
    expect(at(60)).toEqual([18446744073204, 126_329_000, 68, 68]);
    expect(at(159)).toEqual([18446744073204, 277_451_000, 128, 1444]);
  });

  it('gopacket-le-test010-spb.pcapng: four SPBs on eth0', () => {
    const r = readBytes(fixture('formats/gopacket-le-test010-spb.pcapng'));
    expect(r.error).toBeNull();
    expect(r.records.map((d) => [d.ifaceName, d.capLen, d.wireLen])).toEqual([
      ['eth0', 314, 314],
      ['eth0', 342, 342],
      ['eth0', 314, 314],
      ['eth0', 342, 342],
    ]);
  });

  it('gopacket-le-test017-custom-blocks-only.pcapng: no interfaces, no packets, no error', () => {
    const r = readBytes(fixture('formats/gopacket-le-test017-custom-blocks-only.pcapng'));
    expect(r).toMatchObject({ error: null, packets: 0, format: 'pcapng', interfaces: [] });
  });

  it('gopacket-be-test008.pcapng: big-endian, two IDBs with different snaplens', () => {
    const r = readBytes(fixture('formats/gopacket-be-test008.pcapng'));
    expect(r.error).toBeNull();
    expect(r.records.map((d) => [d.ifaceName, d.tsSec, d.tsNsec, d.capLen, d.wireLen])).toEqual([
      ['eth-_0 foo', 1340954, 905_298_858, 96, 314],
      ['en1', 1340954, 905_299_858, 128, 342],
      ['eth-_0 foo', 1340954, 905_300_858, 96, 314],
      ['en1', 1340954, 905_301_858, 128, 342],
    ]);
  });

  it('gopacket-le-test100.pcapng: SPB, EPB, NRB and ISB mixed, three IDBs', () => {
    const r = readBytes(fixture('formats/gopacket-le-test100.pcapng'));
    expect(r.error).toBeNull();
    expect(r.records.map((d) => [d.ifaceName, d.capLen])).toEqual([
      ['eth0', 314],
      ['eth0', 342],
      ['eth0', 314],
      ['eth0', 342],
      ['null1', 168],
    ]);
  });

  it('pcapng-multi-interface.pcapng: ns and µs interfaces merged by mergecap', () => {
    const r = readBytes(fixture('formats/pcapng-multi-interface.pcapng'));
    expect(r.packets).toBe(6);
    const first = r.records[0]!;
    const third = r.records[2]!;
    expect([first.ifaceName, first.tsSec, first.tsNsec, first.capLen]).toEqual(['eth0', 1767663089, 500_330_493, 96]);
    expect([third.ifaceName, third.tsSec, third.tsNsec, third.capLen]).toEqual([
      '\\Device\\NPF_{5AE6EDB4-EFF9-46B3-A3C2-EE50C688A9E6}',
      1767663437,
      111_897_000,
      70,
    ]);
  });

  it('time_2106_overflow.pcapng: a timestamp past 2^32 seconds', () => {
    const r = readBytes(fixture('malformed/time_2106_overflow.pcapng'));
    expect(r.records.map((d) => [d.tsSec, d.tsNsec, d.capLen])).toEqual([[4294967296, 0, 98]]);
  });
});
