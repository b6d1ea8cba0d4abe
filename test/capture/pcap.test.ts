/**
 * Classic pcap: byte orders, time resolutions, header fields, and the real
 * files in the corpus. Expected values for fixtures were read with tshark
 * 4.0.17 / capinfos (frame.time_epoch, frame.cap_len, frame.len).
 */
import { describe, expect, it } from 'vitest';
import { MAX_CAPLEN_HARD, MAX_CAPLEN_STANDARD } from '../../src/capture/limits.js';
import { concat, payload, pcapFile, pcapHeader, pcapRecord, type ByteOrder, type PcapRecordSpec } from './build.js';
import { expectLocatedMessage, fixture, readBytes } from './helpers.js';

const RECORDS: PcapRecordSpec[] = [
  { sec: 1_700_000_000, frac: 123_456, data: payload(60, 1) },
  { sec: 1_700_000_001, frac: 999_999, data: payload(42, 2), wireLen: 1514 },
  { sec: 4_000_000_000, frac: 0, data: payload(1, 3), wireLen: 9000 },
  { sec: 0, frac: 1, data: payload(0, 4), wireLen: 0 },
];

const MAGICS: { order: ByteOrder; nanosecond: boolean; first4: string }[] = [
  { order: 'be', nanosecond: false, first4: 'a1b2c3d4' },
  { order: 'le', nanosecond: false, first4: 'd4c3b2a1' },
  { order: 'be', nanosecond: true, first4: 'a1b23c4d' },
  { order: 'le', nanosecond: true, first4: '4d3cb2a1' },
];

function build(order: ByteOrder, nanosecond: boolean, records = RECORDS): Uint8Array {
  return pcapFile(
    { order, nanosecond, snapLen: 1514, linkTypeField: 1 },
    records.map((r) => ({ ...r, frac: nanosecond ? r.frac * 1000 : r.frac })),
  );
}

describe('classic pcap: the four magics', () => {
  const results = MAGICS.map((m) => ({ m, bytes: build(m.order, m.nanosecond) }));

  it.each(results)('$m.first4 is written as documented and read cleanly', ({ m, bytes }) => {
    expect(Buffer.from(bytes.subarray(0, 4)).toString('hex')).toBe(m.first4);
    const r = readBytes(bytes);
    expect(r.error).toBeNull();
    expect(r.format).toBe('pcap');
    expect(r.packets).toBe(RECORDS.length);
    expect(r.interfaces).toEqual([
      { id: 0, linkType: 1, name: null, description: null, snapLen: 1514, tsUnitsPerSecond: m.nanosecond ? 1e9 : 1e6, section: 0 },
    ]);
  });

  it('all four give identical records (ts, lengths, link type, offsets, bytes)', () => {
    const [first, ...rest] = results.map(({ bytes }) => readBytes(bytes).records);
    expect(first).toHaveLength(RECORDS.length);
    for (const r of rest) expect(r).toEqual(first);
    expect(first!.map((d) => [d.index, d.fileOffset, d.tsSec, d.tsNsec, d.capLen, d.wireLen, d.linkType, d.interfaceId])).toEqual([
      [1, 24, 1_700_000_000, 123_456_000, 60, 60, 1, 0],
      [2, 24 + 16 + 60, 1_700_000_001, 999_999_000, 42, 1514, 1, 0],
      [3, 24 + 32 + 102, 4_000_000_000, 0, 1, 9000, 1, 0],
      [4, 24 + 48 + 103, 0, 1000, 0, 0, 1, 0],
    ]);
    expect(first![0]!.bytes).toBe(Buffer.from(RECORDS[0]!.data).toString('hex'));
  });
});

describe('classic pcap: time resolution', () => {
  it('nanosecond files keep every digit, microsecond files scale by 1000', () => {
    const rec = { sec: 1_600_000_000, data: payload(10) };
    const ns = readBytes(pcapFile({ order: 'le', nanosecond: true }, [{ ...rec, frac: 123_456_789 }])).records[0]!;
    const us = readBytes(pcapFile({ order: 'le', nanosecond: false }, [{ ...rec, frac: 123_456 }])).records[0]!;
    expect([ns.tsSec, ns.tsNsec]).toEqual([1_600_000_000, 123_456_789]);
    expect([us.tsSec, us.tsNsec]).toEqual([1_600_000_000, 123_456_000]);
  });

  it('a fraction field past one second carries into the seconds (both resolutions)', () => {
    const us = readBytes(pcapFile({ order: 'be' }, [{ sec: 10, frac: 1_000_000, data: payload(4) }, { sec: 10, frac: 2_500_000, data: payload(4) }]));
    expect(us.records.map((d) => [d.tsSec, d.tsNsec])).toEqual([
      [11, 0],
      [12, 500_000_000],
    ]);
    const ns = readBytes(pcapFile({ order: 'be', nanosecond: true }, [{ sec: 10, frac: 0xffffffff, data: payload(4) }]));
    expect(ns.records.map((d) => [d.tsSec, d.tsNsec])).toEqual([[14, 294_967_295]]);
  });

  it('seconds are unsigned 32-bit (past 2038)', () => {
    const r = readBytes(pcapFile({ order: 'le' }, [{ sec: 0xffffffff, frac: 999_999, data: payload(4) }]));
    expect([r.records[0]!.tsSec, r.records[0]!.tsNsec]).toEqual([4_294_967_295, 999_999_000]);
  });
});

describe('classic pcap: link-type field', () => {
  const hex = (fields: number[]) => fields.map((field) => ({ field, hex: field.toString(16).padStart(8, '0') }));

  it.each(hex([0x30000001, 0x10000001, 0xfc000065, 0x04000071]))('FCS/flag bits 26-31 are accepted (0x$hex)', ({ field }) => {
    const r = readBytes(pcapFile({ order: 'le', linkTypeField: field }, RECORDS));
    expect(r.error).toBeNull();
    expect(r.interfaces[0]!.linkType).toBe(field & 0xffff);
    expect(r.records.every((d) => d.linkType === (field & 0xffff))).toBe(true);
  });

  it.each(hex([0x00300000, 0x00010001, 0x02000001, 0x03ff0000]))('reserved bits 16-25 are rejected (0x$hex)', ({ field }) => {
    for (const order of ['le', 'be'] as const) {
      const r = readBytes(pcapFile({ order, linkTypeField: field }, RECORDS), 'whole', 'x.pcap');
      expect(r.records).toEqual([]);
      expect(r.error).toMatchObject({ code: 'bad_header', offset: 20, packet: 1 });
      expectLocatedMessage(r.error, 'x.pcap');
      expect(r.error!.message).toContain(field.toString(16).padStart(8, '0'));
    }
  });

  it('fixtures: FCS bits set (heap-overflow-1, gre-heapoverflow-1) and reserved bits set', () => {
    const raw = readBytes(fixture('malformed/heap-overflow-1.pcap'));
    expect(raw.error).toBeNull();
    expect(raw.interfaces[0]).toMatchObject({ linkType: 101, snapLen: 1 });
    // tshark: 1  808464432.999999000  cap 1  len 262144
    expect(raw.records.map((d) => [d.tsSec, d.tsNsec, d.capLen, d.wireLen])).toEqual([[808464432, 999_999_000, 1, 262144]]);

    const gre = readBytes(fixture('malformed/gre-heapoverflow-1.pcap'));
    expect(gre.error).toBeNull();
    expect(gre.records.map((d) => [d.linkType, d.capLen, d.wireLen])).toEqual([
      [1, 98, 262144],
      [1, 48, 262144],
    ]);

    const reserved = readBytes(fixture('malformed/linktype-reserved-field-not-zero.pcap'), 'whole', 'reserved.pcap');
    expect(reserved.packets).toBe(0);
    expect(reserved.error).toMatchObject({ code: 'bad_header', offset: 20, packet: 1 });
    expect(reserved.error!.message).toContain('0x00300000');
  });
});

describe('classic pcap: version', () => {
  const rec = [
    { sec: 1, frac: 2, data: payload(42, 1), wireLen: 1514 },
    { sec: 3, frac: 4, data: payload(60, 2), wireLen: 60 },
  ];
  const expected = [
    [42, 1514],
    [60, 60],
  ];

  it.each([
    [2, 4],
    [2, 1],
    [2, 0],
    [2, 2],
    [2, 3],
    [2, 7],
  ])('version %i.%i is accepted, lengths read in the order that version wrote them', (major, minor) => {
    for (const order of ['le', 'be'] as const) {
      const r = readBytes(pcapFile({ order, versionMajor: major, versionMinor: minor }, rec));
      expect(r.error).toBeNull();
      expect(r.records.map((d) => [d.capLen, d.wireLen])).toEqual(expected);
    }
  });

  it('2.3 files written in the old order are recognised by incl_len > orig_len (as libpcap does)', () => {
    const r = readBytes(pcapFile({ order: 'le', versionMinor: 3, lengthOrder: 'pre-2.3' }, rec));
    expect(r.error).toBeNull();
    expect(r.records.map((d) => [d.capLen, d.wireLen])).toEqual(expected);
  });

  it('a 2.1 header with the lengths in 2.4 order reads as libpcap reads it (swapped)', () => {
    // incl_len 42 / orig_len 1514 in 2.4 order means caplen 1514 to a 2.1 reader:
    // tshark reports this file as cut short in the middle of packet 1.
    const bytes = pcapFile({ order: 'be', versionMinor: 1, lengthOrder: 'modern' }, [rec[0]!]);
    const r = readBytes(bytes, 'whole', 'v21.pcap');
    expect(r.records).toEqual([]);
    expect(r.error).toMatchObject({ code: 'truncated_tail', offset: 24, packet: 1 });
  });

  it.each([
    [1, 4],
    [1, 0],
    [3, 0],
    [0, 0],
  ])('version %i.%i is rejected', (major, minor) => {
    const r = readBytes(pcapFile({ order: 'be', versionMajor: major, versionMinor: minor }, rec), 'whole', 'old.pcap');
    expect(r.records).toEqual([]);
    expect(r.error).toMatchObject({ code: 'unsupported_version', offset: 4, packet: 1 });
    expect(r.error!.message).toContain(`${major}.${minor}`);
    expectLocatedMessage(r.error, 'old.pcap');
  });

  it('fixtures: be-nfs3.pcap (v2.1, big-endian) reads; pcap-invalid-version-1.pcap (v1.4) does not', () => {
    const nfs = readBytes(fixture('formats/be-nfs3.pcap'));
    expect(nfs.error).toBeNull();
    expect(nfs.packets).toBe(128);
    expect(nfs.interfaces[0]).toMatchObject({ linkType: 1, snapLen: 1600, tsUnitsPerSecond: 1e6 });
    // tshark: frame 1 944207397.280000000 cap 106 len 106; frame 128 944207397.750000000 cap 66
    const first = nfs.records[0]!;
    const last = nfs.records[127]!;
    expect([first.tsSec, first.tsNsec, first.capLen, first.wireLen]).toEqual([944207397, 280_000_000, 106, 106]);
    expect([last.index, last.tsSec, last.tsNsec, last.capLen, last.wireLen]).toEqual([128, 944207397, 750_000_000, 66, 66]);

    const v1 = readBytes(fixture('malformed/pcap-invalid-version-1.pcap'), 'whole', 'v1.pcap');
    expect(v1.packets).toBe(0);
    expect(v1.error).toMatchObject({ code: 'unsupported_version', offset: 4, packet: 1 });
    expect(v1.error!.message).toContain('1.4');
  });
});

describe('classic pcap: snaplen and record size caps', () => {
  it('snaplen and link type come from the header', () => {
    const r = readBytes(pcapFile({ order: 'be', snapLen: 96, linkTypeField: 113 }, RECORDS));
    expect(r.interfaces[0]).toMatchObject({ snapLen: 96, linkType: 113 });
    expect(r.records.every((d) => d.linkType === 113)).toBe(true);
  });

  it('records up to 256 KiB are read whatever the snaplen says', () => {
    const r = readBytes(pcapFile({ order: 'le', snapLen: 64 }, [{ sec: 1, frac: 0, data: payload(MAX_CAPLEN_STANDARD) }]));
    expect(r.error).toBeNull();
    expect(r.records[0]!.capLen).toBe(MAX_CAPLEN_STANDARD);
  });

  it('a record over 256 KiB is an error unless the snaplen allows it (up to 4 MiB)', () => {
    const big = [{ sec: 1, frac: 0, data: payload(16) }, { sec: 1, frac: 0, data: payload(MAX_CAPLEN_STANDARD + 1) }];
    const refused = readBytes(pcapFile({ order: 'le', snapLen: 65535 }, big), 'whole', 'big.pcap');
    expect(refused.packets).toBe(1);
    expect(refused.error).toMatchObject({ code: 'record_too_large', offset: 24 + 16 + 16, packet: 2 });
    expectLocatedMessage(refused.error, 'big.pcap');

    const allowed = readBytes(pcapFile({ order: 'le', snapLen: 1 << 20 }, big));
    expect(allowed.error).toBeNull();
    expect(allowed.records[1]!.capLen).toBe(MAX_CAPLEN_STANDARD + 1);

    // A header-only claim is enough: the reader refuses before buffering anything.
    const huge = concat(pcapHeader({ order: 'be', snapLen: 0xffffffff }), pcapRecord('be', { sec: 0, frac: 0, data: new Uint8Array(0), inclLen: MAX_CAPLEN_HARD + 1 }));
    const hr = readBytes(huge);
    expect(hr.error).toMatchObject({ code: 'record_too_large', offset: 24, packet: 1 });
  });

  it('an empty pcap (header only) has no packets and no error', () => {
    expect(readBytes(pcapHeader({ order: 'le' }))).toMatchObject({ packets: 0, error: null, format: 'pcap' });
    expect(readBytes(fixture('malformed/empty.pcap'))).toMatchObject({ packets: 0, error: null, format: 'pcap' });
  });
});

describe('classic pcap: real files (values from tshark)', () => {
  it('nanosecs_big_endian.pcap: 10 packets, big-endian nanoseconds', () => {
    const r = readBytes(fixture('formats/nanosecs_big_endian.pcap'));
    expect(r.error).toBeNull();
    expect(r.packets).toBe(10);
    expect(r.interfaces[0]).toMatchObject({ tsUnitsPerSecond: 1e9, snapLen: 262144, linkType: 1 });
    const ts = r.records.map((d) => [d.tsSec, d.tsNsec, d.capLen, d.wireLen]);
    expect(ts[0]).toEqual([1766361926, 167_647_291, 74, 74]);
    expect(ts[1]).toEqual([1766361926, 167_658_091, 74, 74]);
    expect(ts[9]).toEqual([1766361926, 168_451_894, 66, 66]);
  });

  it('nanosecs.pcap: little-endian nanoseconds, timestamps out of order kept as written', () => {
    const r = readBytes(fixture('formats/nanosecs.pcap'));
    expect(r.records.map((d) => [d.tsSec, d.tsNsec, d.capLen])).toEqual([
      [1, 2000, 16],
      [1, 1234, 16],
    ]);
  });

  it('unaligned-nfs-1.pcap: big-endian microseconds', () => {
    const r = readBytes(fixture('formats/unaligned-nfs-1.pcap'));
    expect(r.records.map((d) => [d.fileOffset, d.tsSec, d.tsNsec, d.capLen, d.wireLen])).toEqual([[24, 1440444096, 913_318_000, 182, 182]]);
  });

  it('byte-for-byte: the builder rewrites be-nfs3.pcap from what the reader read', () => {
    const original = fixture('formats/be-nfs3.pcap');
    const r = readBytes(original);
    const header = original.subarray(0, 24);
    const dv = new DataView(header.buffer, header.byteOffset, 24);
    const rebuilt = pcapFile(
      {
        order: 'be',
        versionMajor: dv.getUint16(4),
        versionMinor: dv.getUint16(6),
        thiszone: dv.getInt32(8),
        sigfigs: dv.getUint32(12),
        snapLen: dv.getUint32(16),
        linkTypeField: dv.getUint32(20),
      },
      r.records.map((d, i) => ({
        sec: d.tsSec,
        frac: d.tsNsec / 1000,
        data: original.subarray(d.fileOffset + 16, d.fileOffset + 16 + d.capLen),
        wireLen: d.wireLen,
        inclLen: r.records[i]!.capLen,
      })),
    );
    expect(Buffer.from(rebuilt).equals(Buffer.from(original))).toBe(true);
  });
});
