/**
 * The malformed, truncated and crash-regression captures have no oracle
 * (TShark's field dumps for them record what it did, not a truth), so they
 * are held loosely: reading and decoding never throws, every packet renders,
 * and podpath never reports more packets than capinfos 4.0.17 counted.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { packetJson, packetLine, type PacketMeta } from '../../src/render/packets.js';
import { CAPTURES } from './oracle.js';

/**
 * Packets capinfos read from each file (../shared/captures/info/malformed/<file>.capinfos.txt),
 * and whether it then stopped on an error (MANIFEST.md, malformed/ table).
 */
const CAPINFOS: Record<string, { packets: number; error?: string }> = {
  'LINKTYPE_IPV4_invalid.pcap': { packets: 1 },
  'LINKTYPE_IPV6_invalid.pcap': { packets: 1 },
  'bad-ipv4-version-pgm-heapoverflow.pcap': { packets: 1 },
  'decode-too-small.pcap': { packets: 8 },
  'empty.pcap': { packets: 0 },
  'empty.pcapng': { packets: 0 },
  'erspan-type-iii-pb-1.pcap': { packets: 1 },
  'fuzz-huge-caplen.pcap': { packets: 2, error: 'damaged or corrupt (16711424-byte packet)' },
  'geneve-truncated.pcapng': { packets: 1 },
  'geneve-vxlan-dns-truncated.pcap': { packets: 2 },
  'gopacket-le-test901-shb-v2.pcapng': { packets: 1, error: 'unknown SHB version 2.0' },
  'gre-heapoverflow-1.pcap': { packets: 2 },
  'gre-heapoverflow-2.pcap': { packets: 2 },
  'heap-overflow-1.pcap': { packets: 1 },
  'heapoverflow-ip_demux_print.pcap': { packets: 2 },
  'ip4-trunc.pcap': { packets: 1 },
  'ip4_bad_fragment.pcap': { packets: 1 },
  'ip6_frag_asan.pcap': { packets: 1 },
  'ip_printroute_asan.pcap': { packets: 1 },
  'ipv4-internally-truncated-header.pcap': { packets: 1 },
  'ipv4-truncated-broken-header.pcap': { packets: 1 },
  'ipv4_invalid_hdr_length.pcap': { packets: 1 },
  'ipv4_invalid_length.pcap': { packets: 1 },
  'ipv4_invalid_total_length.pcap': { packets: 1 },
  'ipv4_invalid_total_length_2.pcap': { packets: 1 },
  'ipv6hdr-heapoverflow.pcap': { packets: 1 },
  'linktype-reserved-field-not-zero.pcap': { packets: 0, error: 'network type reserved field not zero' },
  'mpls-6in6-6in6-4in6-invalid-version-4.pcap': { packets: 1 },
  'mpls-6in6-6in6-4in6-trunc.pcap': { packets: 1 },
  'pcap-invalid-version-1.pcap': { packets: 0, error: 'major version 1 unsupported' },
  'pcapng-invalid-vers-1.pcapng': { packets: 0, error: 'unknown SHB version 0.1' },
  'shb-option-too-long.pcapng': { packets: 0, error: 'not enough data to handle option of length 12336' },
  'time_2106_overflow.pcapng': { packets: 1 },
  'timestamp_invalid_micro.pcap': { packets: 3 },
  'timestamp_invalid_nano.pcap': { packets: 3 },
  'trunc-hdr.pcap': { packets: 1 },
  'udp-length-heapoverflow.pcap': { packets: 1 },
  'unsupported-link-type-160.pcap': { packets: 1 },
  'wrong-version-ipv4-ipv6.pcap': { packets: 1 },
};

const DIR = join(CAPTURES, 'malformed');
const FILES = readdirSync(DIR).sort();

/** Every decoder configuration the CLI can build: the default, and every tunnel port table entry at once. */
const DECODERS = [{}, { vxlanPorts: [4789, 8472], genevePorts: [6081], greUdpPorts: [4754], wireguardPorts: [51820, 51821] }];

describe('malformed corpus', () => {
  it('has a capinfos count for every file, and a file for every count', () => {
    expect(FILES.filter((f) => !(f in CAPINFOS))).toEqual([]);
    expect(Object.keys(CAPINFOS).filter((f) => !FILES.includes(f))).toEqual([]);
  });

  for (const file of FILES) {
    it(`${file}: reads, decodes and renders without throwing, no more packets than capinfos`, async () => {
      for (const opts of DECODERS) {
        const dec = new PacketDecoder(opts);
        let delivered = 0;
        const meta: PacketMeta = { file, frame: 0, tsSec: 0, tsNsec: 0, capLen: 0, wireLen: 0, interfaceName: null, recordDirection: 0 };
        const summary = await readCapture(join(DIR, file), (rec) => {
          delivered++;
          const pv = dec.decodeRecord(rec);
          meta.frame = rec.index;
          meta.tsSec = rec.tsSec;
          meta.tsNsec = rec.tsNsec;
          meta.capLen = rec.capLen;
          meta.wireLen = rec.wireLen;
          meta.interfaceName = rec.iface?.name ?? null;
          meta.recordDirection = rec.direction;
          expect(pv.count).toBeLessThanOrEqual(pv.layers.length);
          JSON.stringify(packetJson(pv, meta));
          packetLine(pv, meta, { link: true });
        });
        expect(summary.packets).toBe(delivered);
        expect(summary.packets, `capinfos read ${CAPINFOS[file]!.packets}`).toBeLessThanOrEqual(CAPINFOS[file]!.packets);
      }
    });
  }
});
