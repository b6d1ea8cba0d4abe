/**
 * Damage to the file structure: every prefix of a capture (a killed tcpdump),
 * bad magic, empty input, impossible lengths, broken pcapng blocks and
 * options, unsupported versions, undeclared interfaces. The reader never
 * throws; it delivers every record before the damage, then one
 * CaptureFormatError whose message names the file, byte offset and packet.
 */
import { describe, expect, it } from 'vitest';
import { CaptureStream } from '../../src/capture/stream.js';
import { block, concat, epb, idb, opt, payload, pcapFile, shb, spb, type ByteOrder } from './build.js';
import { expectLocatedMessage, fixture, readBytes, type ReadResult } from './helpers.js';
import { multiSection, smallPcap, smallPcapBeNs, smallPcapng } from './samples.js';

interface Unit {
  start: number;
  end: number;
  packet: boolean;
}

/** Independent walk of a classic pcap: the file header, then each record (header + data). */
function pcapUnits(b: Uint8Array): Unit[] {
  const le = b[0] === 0xd4 || b[0] === 0x4d;
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const units: Unit[] = [{ start: 0, end: 24, packet: false }];
  for (let p = 24; p < b.length; ) {
    const end = p + 16 + dv.getUint32(p + 8, le);
    units.push({ start: p, end, packet: true });
    p = end;
  }
  return units;
}

/** Independent walk of a pcapng: every block, in its section's byte order. */
function pcapngUnits(b: Uint8Array): Unit[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const units: Unit[] = [];
  let le = true;
  for (let p = 0; p < b.length; ) {
    if (dv.getUint32(p, false) === 0x0a0d0d0a) le = dv.getUint32(p + 8, true) === 0x1a2b3c4d;
    const type = dv.getUint32(p, le);
    const end = p + dv.getUint32(p + 4, le);
    units.push({ start: p, end, packet: type === 2 || type === 3 || type === 6 });
    p = end;
  }
  return units;
}

/** What a reader must report for the first `cut` bytes. */
function expectedAtCut(units: Unit[], cut: number): { packets: number; error: { code: string; offset: number; packet: number } | null } {
  const packets = units.filter((u) => u.packet && u.end <= cut).length;
  if (cut === 0) return { packets, error: { code: 'empty', offset: 0, packet: 1 } };
  if (cut < 4) return { packets, error: { code: 'not_a_capture', offset: 0, packet: 1 } };
  const open = units.find((u) => u.start < cut && cut < u.end);
  if (!open) return { packets, error: null };
  return { packets, error: { code: 'truncated_tail', offset: open.start, packet: packets + 1 } };
}

function sweep(bytes: Uint8Array, units: Unit[], chunkings: (number[] | 'whole')[]): void {
  const full = readBytes(bytes).records;
  expect(units.at(-1)!.end).toBe(bytes.length);
  for (let cut = 0; cut <= bytes.length; cut++) {
    const want = expectedAtCut(units, cut);
    for (const c of chunkings) {
      let r: ReadResult;
      try {
        r = readBytes(bytes.subarray(0, cut), c, 'cut.cap');
      } catch (e) {
        throw new Error(`reader threw at cut ${cut}: ${String(e)}`);
      }
      const where = `cut ${cut} of ${bytes.length}, chunks ${String(c)}`;
      expect(r.records, where).toEqual(full.slice(0, want.packets));
      if (want.error === null) {
        expect(r.error, where).toBeNull();
      } else {
        expect(r.error, where).toMatchObject(want.error);
        if (want.error.code === 'truncated_tail') {
          expectLocatedMessage(r.error, 'cut.cap');
          expect(r.error!.message).toMatch(/capture ends inside a (record|file header)/);
        } else {
          expect(r.error!.message.startsWith('cut.cap: ')).toBe(true);
        }
      }
    }
  }
}

describe('truncated tail at every cut point', () => {
  it('classic pcap, little-endian µs (every prefix, whole and byte by byte)', () => {
    const b = smallPcap();
    sweep(b, pcapUnits(b), ['whole', [1], [7, 3]]);
  });

  it('classic pcap, big-endian ns', () => {
    const b = smallPcapBeNs();
    sweep(b, pcapUnits(b), ['whole', [1], [13]]);
  });

  it('pcapng, one section with EPB, SPB, PB and skipped blocks', () => {
    const b = smallPcapng();
    sweep(b, pcapngUnits(b), ['whole', [1], [7, 3]]);
  });

  it('pcapng, three sections in mixed byte order', () => {
    const b = multiSection();
    sweep(b, pcapngUnits(b), ['whole', [2], [13]]);
  });

  it('real files: unaligned-nfs-1.pcap and gopacket-le-test202-mixed-endian-sections.pcapng', () => {
    const p = fixture('formats/unaligned-nfs-1.pcap');
    sweep(p, pcapUnits(p), ['whole', [3]]);
    const ng = fixture('formats/gopacket-le-test202-mixed-endian-sections.pcapng');
    sweep(ng, pcapngUnits(ng), ['whole']);
  });

  it('the message says how much of the record is there', () => {
    const b = smallPcap();
    const r = readBytes(b.subarray(0, 24 + 16 + 10), 'whole', 'x.pcap');
    expect(r.error!.message).toBe(
      'x.pcap: capture ends inside a record: 26 of 76 bytes present (cut short, e.g. tcpdump killed or file still being written) (byte offset 24, packet 1)',
    );
    const h = readBytes(b.subarray(0, 10), 'whole', 'x.pcap');
    expect(h.error!.message).toContain('capture ends inside a file header: 10 of 24 bytes present');
  });
});

describe('not a capture, empty input', () => {
  it('empty input', () => {
    const r = readBytes(new Uint8Array(0), 'whole', 'empty.cap');
    expect(r.error).toMatchObject({ code: 'empty', offset: 0, packet: 1 });
    expect(r.error!.message).toBe('empty.cap: empty input: no capture data');
    expect(r.format).toBeNull();
  });

  it('bad magic: text, zstd, a Kuznetzov pcap, binary junk, too short', () => {
    const cases: [Uint8Array, RegExp][] = [
      [new TextEncoder().encode('reading from file -, link-type EN10MB (Ethernet)\n12:00:00.000000 IP 10.0.0.1 > 10.0.0.2\n'), /text, not a capture \(starts "reading from file -, lin"\)/],
      [Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, ...payload(80)), /zstd-compressed/],
      [concat(Uint8Array.of(0xa1, 0xb2, 0xcd, 0x34), payload(60)), /Kuznetzov/],
      [Uint8Array.of(0xde, 0xad, 0xbe, 0xef, ...Array<number>(70).fill(0)), /not a pcap or pcapng capture \(first bytes de ad be ef\)/],
      [Uint8Array.of(0x0a, 0x0d), /only 2 bytes: too short to be a capture/],
    ];
    for (const [bytes, message] of cases) {
      for (const c of ['whole', [1], [5]] as const) {
        const r = readBytes(bytes, c === 'whole' ? c : [...c], 'junk.bin');
        expect(r.records).toEqual([]);
        expect(r.error).toMatchObject({ code: 'not_a_capture', offset: 0, packet: 1 });
        expect(r.error!.message).toMatch(message);
        // Whole-input verdicts name the file; byte offset 0 / packet 1 are in the fields, not repeated in the line.
        expect(r.error!.message.startsWith('junk.bin: ')).toBe(true);
      }
    }
  });

  it('a pcap whose magic is right but header is not: reported as a truncated header when cut', () => {
    const r = readBytes(Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0), 'whole', 'h.pcap');
    expect(r.error).toMatchObject({ code: 'truncated_tail', offset: 0, packet: 1 });
  });
});

describe('classic pcap damage', () => {
  it('fuzz-huge-caplen.pcap: 1 packet, then record_too_large at byte 228, packet 2', () => {
    for (const c of ['whole', [1], [100]] as const) {
      const r = readBytes(fixture('malformed/fuzz-huge-caplen.pcap'), c === 'whole' ? c : [...c], 'fuzz.pcap');
      expect(r.records.map((d) => [d.index, d.capLen, d.wireLen])).toEqual([[1, 188, 188]]);
      expect(r.error).toMatchObject({ code: 'record_too_large', offset: 228, packet: 2 });
      expect(r.error!.message).toContain('1409179648');
      expectLocatedMessage(r.error, 'fuzz.pcap');
    }
  });
});

/** Concatenate parts and remember where each starts. */
function layout(parts: Uint8Array[]): { bytes: Uint8Array; at: number[] } {
  const at: number[] = [];
  let o = 0;
  for (const p of parts) {
    at.push(o);
    o += p.length;
  }
  return { bytes: concat(...parts), at };
}

describe('pcapng damage', () => {
  const good = (order: ByteOrder, n: number) => epb(order, { ifId: 0, ts: BigInt(n), data: payload(10 + n, n) });

  it.each([
    ['not a multiple of 4', 46],
    ['below the 12-byte minimum', 8],
    ['above the 16 MiB cap', 16 * 1024 * 1024 + 4],
    ['absurd (4 GiB - 4)', 0xfffffffc],
  ])('block length %s is bad_block_length at the length field, earlier packets delivered', (_what, len) => {
    for (const order of ['le', 'be'] as const) {
      const { bytes, at } = layout([shb({ order }), idb(order), good(order, 1), good(order, 2), block(order, 6, payload(32), { length: len }), good(order, 3)]);
      for (const c of ['whole', [1], [9]] as const) {
        const r = readBytes(bytes, c === 'whole' ? c : [...c], 'len.pcapng');
        expect(r.packets).toBe(2);
        expect(r.error).toMatchObject({ code: 'bad_block_length', offset: at[4]! + 4, packet: 3 });
        expectLocatedMessage(r.error, 'len.pcapng');
        expect(r.error!.message).toContain(`claims length ${len}`);
      }
    }
  });

  it('a bad length in the section header itself', () => {
    const r = readBytes(concat(shb({ order: 'be', overrides: { length: 30 } }), idb('be')), 'whole', 'shb.pcapng');
    expect(r.error).toMatchObject({ code: 'bad_block_length', offset: 4, packet: 1 });
  });

  it('mismatched trailer: bad_block_length at the trailing length field', () => {
    const { bytes, at } = layout([shb({ order: 'le' }), idb('le'), good('le', 1), good('le', 2), good('le', 3)]);
    const damaged = Uint8Array.from(bytes);
    const trailerAt = at[3]! + (at[4]! - at[3]!) - 4;
    damaged[trailerAt]! ^= 0x04;
    for (const c of ['whole', [1], [3, 7]] as const) {
      const r = readBytes(damaged, c === 'whole' ? c : [...c], 'trailer.pcapng');
      expect(r.records.map((d) => d.index)).toEqual([1]);
      expect(r.error).toMatchObject({ code: 'bad_block_length', offset: trailerAt, packet: 2 });
      expect(r.error!.message).toMatch(/lengths disagree/);
      expectLocatedMessage(r.error, 'trailer.pcapng');
    }
  });

  it('an option running past its block is bad_option at the option', () => {
    for (const order of ['le', 'be'] as const) {
      // IDB body: linktype 2 + reserved 2 + snaplen 4, then the option header.
      const { bytes, at } = layout([
        shb({ order }),
        idb(order, { name: 'eth0' }),
        good(order, 1),
        idb(order, { options: [{ code: 2, value: new TextEncoder().encode('eth1'), length: 400 }] }),
        good(order, 2),
      ]);
      const r = readBytes(bytes, 'whole', 'opt.pcapng');
      expect(r.packets).toBe(1);
      expect(r.error).toMatchObject({ code: 'bad_option', offset: at[3]! + 8 + 8, packet: 2 });
      expect(r.error!.message).toContain('option 2 claims 400 bytes');
      expectLocatedMessage(r.error, 'opt.pcapng');
    }
    // The same in a section header.
    const shbBad = readBytes(concat(shb({ order: 'le', options: [{ code: 4, value: payload(4), length: 0x3030 }] }), idb('le')), [1], 'o.pcapng');
    expect(shbBad.error).toMatchObject({ code: 'bad_option', offset: 24, packet: 1 });
  });

  it('shb-option-too-long.pcapng: its trailer is wrong too, and the trailer is checked first', () => {
    // tcpdump reports "block lengths do not match" here; tshark reports the option.
    // Both are damage to the same section header block.
    const r = readBytes(fixture('malformed/shb-option-too-long.pcapng'), 'whole', 'shb-opt.pcapng');
    expect(r.packets).toBe(0);
    expect(r.error).toMatchObject({ code: 'bad_block_length', offset: 48, packet: 1 });
    expectLocatedMessage(r.error, 'shb-opt.pcapng');
    // With the trailer repaired, the option is what is wrong.
    const fixed = Uint8Array.from(fixture('malformed/shb-option-too-long.pcapng'));
    fixed.set([0x34, 0, 0, 0], 48);
    const f = readBytes(fixed, 'whole', 'shb-opt.pcapng');
    expect(f.error).toMatchObject({ code: 'bad_option', offset: 24, packet: 1 });
    expect(f.error!.message).toContain('claims 12336 bytes');
  });

  it('section header versions other than 1.x are refused', () => {
    const v01 = readBytes(fixture('malformed/pcapng-invalid-vers-1.pcapng'), 'whole', 'v01.pcapng');
    expect(v01.packets).toBe(0);
    expect(v01.error).toMatchObject({ code: 'unsupported_version', offset: 12, packet: 1 });
    expect(v01.error!.message).toContain('0.1');
    expectLocatedMessage(v01.error, 'v01.pcapng');

    const v20 = readBytes(concat(shb({ order: 'be', major: 2 }), idb('be')), 'whole', 'v20.pcapng');
    expect(v20.error).toMatchObject({ code: 'unsupported_version', offset: 12, packet: 1 });
    expect(v20.error!.message).toContain('2.0');

    const v12 = readBytes(concat(shb({ order: 'be', major: 1, minor: 2 }), idb('be'), good('be', 1)));
    expect(v12).toMatchObject({ error: null, packets: 1 });
  });

  it('gopacket-le-test901-shb-v2.pcapng: 1 packet, then the version 2.0 section', () => {
    for (const c of ['whole', [1], [64]] as const) {
      const r = readBytes(fixture('malformed/gopacket-le-test901-shb-v2.pcapng'), c === 'whole' ? c : [...c], 't901.pcapng');
      // tshark: 1  1340954905.298858000  eth0  314  314, then "unknown SHB version 2.0"
      expect(r.records.map((d) => [d.index, d.ifaceName, d.tsSec, d.tsNsec, d.capLen])).toEqual([[1, 'eth0', 1340954905, 298_858_000, 314]]);
      // The second SHB starts at 480 (0x1e0); its version field is 12 bytes in.
      expect(r.error).toMatchObject({ code: 'unsupported_version', offset: 492, packet: 2 });
      expect(r.error!.message).toContain('2.0');
      expectLocatedMessage(r.error, 't901.pcapng');
    }
  });

  it('a packet on an undeclared interface is bad_interface', () => {
    const { bytes, at } = layout([shb({ order: 'le' }), idb('le'), good('le', 1), epb('le', { ifId: 1, ts: 2n, data: payload(4) })]);
    const r = readBytes(bytes, [1], 'iface.pcapng');
    expect(r.packets).toBe(1);
    expect(r.error).toMatchObject({ code: 'bad_interface', offset: at[3]! + 8, packet: 2 });
    expect(r.error!.message).toContain('interface 1, but its section describes 1');
    expectLocatedMessage(r.error, 'iface.pcapng');

    const none = readBytes(concat(shb({ order: 'be' }), epb('be', { ifId: 0, ts: 1n, data: payload(4) })), 'whole', 'none.pcapng');
    expect(none.error).toMatchObject({ code: 'bad_interface', packet: 1 });
  });

  it('an EPB whose captured length runs past its block is record_too_large', () => {
    const { bytes, at } = layout([shb({ order: 'be' }), idb('be'), good('be', 1), epb('be', { ifId: 0, ts: 2n, data: payload(16), capLen: 17 })]);
    const r = readBytes(bytes, 'whole', 'cap.pcapng');
    expect(r.packets).toBe(1);
    expect(r.error).toMatchObject({ code: 'record_too_large', offset: at[3]! + 8 + 12, packet: 2 });
    expectLocatedMessage(r.error, 'cap.pcapng');
  });

  it('blocks too short for their type are bad_header', () => {
    const shortShb = readBytes(concat(block('le', 0x0a0d0d0a, Uint8Array.of(0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0))), 'whole', 's.pcapng');
    expect(shortShb.error).toMatchObject({ code: 'bad_header', packet: 1 });
    const shortIdb = readBytes(concat(shb({ order: 'le' }), block('le', 1, Uint8Array.of(1, 0, 0, 0))), 'whole', 's.pcapng');
    expect(shortIdb.error).toMatchObject({ code: 'bad_header', offset: 28 + 8, packet: 1 });
    const shortEpb = readBytes(concat(shb({ order: 'le' }), idb('le'), block('le', 6, payload(16))), 'whole', 's.pcapng');
    expect(shortEpb.error).toMatchObject({ code: 'bad_header', packet: 1 });
    const shortSpb = readBytes(concat(shb({ order: 'le' }), idb('le'), block('le', 3, new Uint8Array(0))), 'whole', 's.pcapng');
    expect(shortSpb.error).toMatchObject({ code: 'bad_header', packet: 1 });
    for (const r of [shortShb, shortIdb, shortEpb, shortSpb]) expectLocatedMessage(r.error, 's.pcapng');
  });

  it('a section header without the byte-order magic is bad_header', () => {
    const bad = Uint8Array.from(concat(shb({ order: 'le' }), idb('le'), good('le', 1), shb({ order: 'le' }), idb('le'), good('le', 2)));
    const second = 28 + 20 + 44;
    expect(bad[second]).toBe(0x0a);
    bad.set([1, 2, 3, 4], second + 8);
    const r = readBytes(bad, [5], 'bom.pcapng');
    expect(r.packets).toBe(1);
    expect(r.error).toMatchObject({ code: 'bad_header', offset: second + 8, packet: 2 });
    expectLocatedMessage(r.error, 'bom.pcapng');
  });

  it('SPB damage and good SPBs do not disturb packet numbering', () => {
    const { bytes, at } = layout([shb({ order: 'le' }), idb('le'), spb('le', { data: payload(8) }), spb('le', { data: payload(8), overrides: { trailer: 99 } })]);
    const r = readBytes(bytes, 'whole', 'spb.pcapng');
    expect(r.packets).toBe(1);
    expect(r.error).toMatchObject({ code: 'bad_block_length', offset: at[3]! + 24 - 4, packet: 2 });
  });
});

describe('after an error', () => {
  it('input is ignored and end() adds nothing', () => {
    const seen: number[] = [];
    const s = new CaptureStream((r) => seen.push(r.index), 'after.pcap');
    const bytes = fixture('malformed/fuzz-huge-caplen.pcap');
    s.push(bytes);
    const first = s.error;
    s.push(pcapFile({ order: 'le' }, [{ sec: 1, frac: 1, data: payload(4) }]));
    s.end();
    s.end();
    expect(seen).toEqual([1]);
    expect(s.error).toBe(first);
    expect(s.error!.file).toBe('after.pcap');
  });

  it('every error is a CaptureFormatError that knows its file', () => {
    const s = new CaptureStream(() => {}, 'named.pcapng');
    s.push(concat(shb({ order: 'le' }), idb('le', { options: [opt.u8(9, 0x7f)] })));
    s.end();
    expect(s.error?.name).toBe('CaptureFormatError');
    expect(s.error?.code).toBe('bad_option');
    expect(s.error?.isTruncatedTail).toBe(false);
    expect(s.error?.message.startsWith('named.pcapng: ')).toBe(true);
  });
});
