/**
 * bench/prototype.mjs, the issue #5 prototype the bench runs beside podpath:
 * its counts must be what podpath counts for the same packets, or its
 * figures say nothing about podpath's. On the real samples (recorded with
 * tcpdump in namespaces: samples/README.md), each pod pair's packets per
 * tunnel path as podpath's report gives them.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/analyze.js';
import { ipv4String } from '../../src/render/addr.js';
import { prototypePcap } from '../../bench/prototype.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

describe('bench/prototype.mjs', () => {
  it.each([
    ['samples/vxlan/node-a.eth1.pcap', 'vxlan'],
    ['samples/ipip-two-nics/node-a.eth1.pcap', 'ipip'],
    ['samples/three-nics-storage/node-a.ens5.pcap', 'ipip'],
    ['samples/cross-subnet/node-a.eth0.pcap', 'ipip'],
  ])('%s: every packet, and per pod pair the packets podpath counts on its %s paths', async (file, mode) => {
    const path = join(ROOT, file);
    const proto = prototypePcap(path);
    const { report } = await analyzeCaptures([path], {});
    expect(proto.packets).toBe(report.captures[0]!.packets);
    expect(proto.folded).toBe(0);
    // The prototype's pairs with an inner header, by "outer src>outer dst inner src>inner dst".
    const counts = new Map<string, number>();
    const { keys, packetsOf } = proto.table;
    for (let e = 0; e < proto.pairs; e++) {
      if (keys[e * 4 + 2] === 0 && keys[e * 4 + 3] === 0) continue;
      counts.set(`${ipv4String(keys[e * 4]!)}>${ipv4String(keys[e * 4 + 1]!)} ${ipv4String(keys[e * 4 + 2]!)}>${ipv4String(keys[e * 4 + 3]!)}`, packetsOf[e]!);
    }
    const paths = report.paths.filter((p) => p.mode === mode);
    expect(paths.length).toBeGreaterThan(0);
    let tunnelled = 0;
    let compared = 0;
    for (const p of paths) {
      tunnelled += p.packets;
      // The report lists a path's busiest pairs (up to --top-pairs); none overflowed its table here.
      expect(p.podPairsCapped).toBe(false);
      for (const pair of p.podPairs) {
        expect(counts.get(`${p.outerSrc}>${p.outerDst} ${pair.src}>${pair.dst}`), `${p.id} ${pair.src}>${pair.dst}`).toBe(pair.packets);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(0);
    // Every tunnelled packet is on one of podpath's tunnel paths, and the other way round.
    expect(proto.tunnelled).toBe(tunnelled);
  });
});
