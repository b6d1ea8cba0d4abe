import { describe, expect, it } from 'vitest';
import { readCapture } from '../../src/capture/source.js';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { Proto } from '../../src/decode/packet.js';

describe('smoke', () => {
  it('decodes the VXLAN corpus sample end to end', async () => {
    const dec = new PacketDecoder();
    const vnis: number[] = [];
    const s = await readCapture('test/fixtures/captures/vxlan/vxlan.pcap', (rec) => {
      const pv = dec.decodeRecord(rec);
      for (let i = 0; i < pv.count; i++) if (pv.layers[i]!.proto === Proto.Vxlan) vnis.push(pv.layers[i]!.vni);
    });
    expect(s.packets).toBe(10);
    expect(s.error).toBeNull();
    expect(new Set(vnis)).toEqual(new Set([100]));
  });
});
