/**
 * Differential test against an independent reader: the pcap-parser package
 * (CommonJS, event based, microsecond classic pcap only). On every classic
 * microsecond pcap in the corpus (malformed/ excluded), podpath and
 * pcap-parser must agree on the packet count and, per packet, on the
 * timestamp, captured and original lengths, and bytes.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { FIXTURES, fixtureFiles } from './helpers.js';

interface PcapParserPacketHeader {
  timestampSeconds: number;
  timestampMicroseconds: number;
  capturedLength: number;
  originalLength: number;
}

interface PcapParser {
  on(event: 'globalHeader', fn: (h: { majorVersion: number; minorVersion: number; linkLayerType: number; snapshotLength: number }) => void): this;
  on(event: 'packet', fn: (p: { header: PcapParserPacketHeader; data: Buffer }) => void): this;
  on(event: 'end', fn: () => void): this;
  on(event: 'error', fn: (e: Error) => void): this;
}

const require = createRequire(import.meta.url);
const pcapParser = require('pcap-parser') as { parse(input: string | Readable): PcapParser };

interface Seen {
  sec: number;
  usec: number;
  capLen: number;
  wireLen: number;
  bytes: string;
}

function viaPcapParser(path: string): Promise<{ header: { linkLayerType: number; snapshotLength: number } | null; packets: Seen[] }> {
  return new Promise((resolve, reject) => {
    const packets: Seen[] = [];
    let header: { linkLayerType: number; snapshotLength: number } | null = null;
    pcapParser
      .parse(createReadStream(path))
      .on('globalHeader', (h) => (header = h))
      .on('packet', ({ header: h, data }) =>
        packets.push({ sec: h.timestampSeconds, usec: h.timestampMicroseconds, capLen: h.capturedLength, wireLen: h.originalLength, bytes: data.toString('hex') }),
      )
      .on('error', reject)
      .on('end', () => resolve({ header, packets }));
  });
}

/** Classic microsecond pcap by magic (either byte order), whatever the file is called. */
function isMicrosecondPcap(path: string): boolean {
  const head = readFileSync(path).subarray(0, 4).toString('hex');
  return head === 'a1b2c3d4' || head === 'd4c3b2a1';
}

const FILES = fixtureFiles()
  .filter((f) => !f.startsWith('malformed/'))
  .filter((f) => isMicrosecondPcap(join(FIXTURES, f)));

describe('podpath agrees with pcap-parser on every classic µs pcap in the corpus', () => {
  it('finds the files to compare', () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(FILES).toContain('formats/be-nfs3.pcap');
    expect(FILES).not.toContain('formats/BgpPackets-really-pcapng.pcap'); // pcapng despite its name
  });

  it.each(FILES)('%s', async (rel) => {
    const path = join(FIXTURES, rel);
    const theirs = await viaPcapParser(path);
    const ours: Seen[] = [];
    const s = await readCapture(path, (r) => {
      // tsNsec is whole microseconds here: no corpus file outside malformed/ overflows the field.
      ours.push({ sec: r.tsSec, usec: r.tsNsec / 1000, capLen: r.capLen, wireLen: r.wireLen, bytes: Buffer.from(r.data).toString('hex') });
    });
    expect(s.error).toBeNull();
    expect(s.format).toBe('pcap');
    expect(s.interfaces[0]!.linkType).toBe(theirs.header!.linkLayerType & 0xffff);
    expect(s.interfaces[0]!.snapLen).toBe(theirs.header!.snapshotLength);
    expect(ours.length).toBe(theirs.packets.length);
    expect(ours).toEqual(theirs.packets);
  });
});
