import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCaptures } from '../../src/analysis/analyze.js';

const SAMPLES = join(import.meta.dirname, '..', '..', 'samples');

describe('bounded tables', () => {
  it('folds what does not fit into counted totals and says so in a finding', async () => {
    const file = join(SAMPLES, 'ipip-two-nics', 'node-a.eth1.pcap');
    const full = (await analyzeCaptures([file])).report;
    const { report } = await analyzeCaptures([file], { limits: { maxPaths: 1, maxPodPairs: 2 } });
    // One path kept of two; the other direction's 20 packets are counted, not lost.
    expect(full.paths).toHaveLength(2);
    expect(report.paths).toHaveLength(1);
    expect(report.totals.overflowPackets).toBe(full.paths[1]!.packets);
    expect(report.totals.podPackets + report.totals.overflowPackets).toBe(full.totals.podPackets);
    expect(report.totals.packets).toBe(full.totals.packets);
    const f = report.findings.find((x) => x.code === 'analysis.limits_reached');
    expect(f?.severity).toBe('warning');
    expect(f?.message).toContain('packets are counted only in the totals');
    // Two of the three pod pairs of the kept path fit: its count is a lower bound, flagged.
    expect(report.paths[0]!.podPairsCapped).toBe(true);
    expect(report.paths[0]!.podPairCount).toBe(2);
    expect(full.findings.some((x) => x.code === 'analysis.limits_reached')).toBe(false);
  });
});
