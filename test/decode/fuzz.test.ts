/**
 * Property tests (fast-check): whatever the bytes and the link type, the
 * decoder never throws, keeps every layer inside the captured bytes, keeps
 * the layer and tunnel caps, renders without throwing, and leaves nothing
 * stale in its reused view. Inputs are random bytes and random mutations
 * (bit flips, byte overwrites, splices of random bytes or of other vectors)
 * of every vector. Runs are modest (a few thousand cases in all) so the
 * suite stays fast; a failure prints the seed and the shrunk input. For a
 * long hunt: PODPATH_FUZZ_SCALE=100 npx vitest run test/decode/fuzz.test.ts
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { MAX_LAYERS, MAX_TUNNEL_DEPTH } from '../../src/decode/packet.js';
import { packetJson, packetLine } from '../../src/render/packets.js';
import { toHex } from './hex.js';
import { LINK_TYPES, StaleStateProbe, invariantViolation, metaFor } from './support.js';
import { VECTORS } from './vectors.js';

/** Built once: a decoder's port table is 64 KiB. */
const DEFAULT_OPTIONS = {};
const LINUX_OPTIONS = { vxlanPorts: [4789, 8472] };
const decoders = [new PacketDecoder(DEFAULT_OPTIONS), new PacketDecoder(LINUX_OPTIONS)] as const;

const probes = [new StaleStateProbe(DEFAULT_OPTIONS), new StaleStateProbe(LINUX_OPTIONS)] as const;

interface Case {
  bytes: Uint8Array;
  capLen: number;
  wireLen: number;
  linkType: number;
  decoder: 0 | 1;
}

function describeCase(c: Case): string {
  return `linkType ${c.linkType}, capLen ${c.capLen}, wireLen ${c.wireLen}, decoder ${c.decoder}: ${toHex(c.bytes.subarray(0, c.capLen))}`;
}

/** Decode, check the invariants, render; throws with the case on any violation. */
function checkCase(c: Case): void {
  const dec = decoders[c.decoder];
  let pv;
  try {
    pv = dec.decode(c.bytes, 0, c.capLen, c.wireLen, c.linkType);
  } catch (err) {
    throw new Error(`decode threw ${String(err)} on ${describeCase(c)}`);
  }
  const broken = invariantViolation(pv, c.capLen);
  if (broken) throw new Error(`${broken} on ${describeCase(c)}`);
  if (pv.count > MAX_LAYERS || pv.tunnelCount > MAX_TUNNEL_DEPTH) throw new Error(`caps exceeded on ${describeCase(c)}`);
  const meta = metaFor(c.capLen, c.wireLen);
  JSON.stringify(packetJson(pv, meta));
  packetLine(pv, meta, { link: true });
  const diff = probes[c.decoder].compare(c.bytes, c.capLen, c.wireLen, c.linkType);
  if (diff) throw new Error(`stale state on ${describeCase(c)}: ${JSON.stringify(diff)}`);
  if (c.capLen < c.bytes.length) {
    // Bytes past capLen belong to the next record: changing them must change nothing.
    const first = JSON.stringify(packetJson(dec.decode(c.bytes, 0, c.capLen, c.wireLen, c.linkType), meta));
    const other = Uint8Array.from(c.bytes);
    for (let i = c.capLen; i < other.length; i++) other[i] = ~other[i]! & 0xff;
    const second = JSON.stringify(packetJson(dec.decode(other, 0, c.capLen, c.wireLen, c.linkType), meta));
    if (first !== second) throw new Error(`read past capLen on ${describeCase(c)}: ${first} vs ${second}`);
  }
}

const SCALE = Math.max(1, Number(process.env.PODPATH_FUZZ_SCALE ?? 1) || 1);

const linkType = fc.constantFrom(...LINK_TYPES);

/** capLen <= bytes.length (usually all of it), wireLen >= capLen (usually equal). */
function lengths(n: number): fc.Arbitrary<{ capLen: number; wireLen: number }> {
  return fc
    .tuple(fc.oneof({ weight: 3, arbitrary: fc.constant(n) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: n }) }), fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 70_000 }) }))
    .map(([capLen, extra]) => ({ capLen, wireLen: n + extra }));
}

const randomCase: fc.Arbitrary<Case> = fc
  .tuple(fc.uint8Array({ minLength: 0, maxLength: 160 }), linkType, fc.constantFrom<0 | 1>(0, 1))
  .chain(([bytes, lt, decoder]) => lengths(bytes.length).map(({ capLen, wireLen }) => ({ bytes, capLen, wireLen, linkType: lt, decoder })));

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'splice'; at: number; remove: number; insert: Uint8Array }
  | { kind: 'graft'; at: number; remove: number; from: number; start: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('set' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(0, 0xff, 0x45, 0x60, 0x08, 0x06, 0x11, 0x04, 0x29, 0x2f), fc.integer({ min: 0, max: 255 })) }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), remove: fc.integer({ min: 0, max: 16 }), insert: fc.uint8Array({ maxLength: 16 }) }),
  fc.record({
    kind: fc.constant('graft' as const),
    at: fc.nat(),
    remove: fc.integer({ min: 0, max: 40 }),
    from: fc.nat({ max: VECTORS.length - 1 }),
    start: fc.nat(),
    length: fc.integer({ min: 1, max: 80 }),
  }),
);

function mutate(src: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(src);
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.kind === 'splice' || m.kind === 'graft' ? 1 : 0));
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) b[at % b.length]! ^= 1 << m.bit;
        break;
      case 'set':
        if (b.length > 0) b[at % b.length] = m.value;
        break;
      case 'splice':
      case 'graft': {
        let insert: Uint8Array;
        if (m.kind === 'splice') insert = m.insert;
        else {
          const from = VECTORS[m.from]!.bytes;
          const start = m.start % (from.length + 1);
          insert = from.subarray(start, start + m.length);
        }
        const out = new Uint8Array(b.length - Math.min(m.remove, b.length - at) + insert.length);
        out.set(b.subarray(0, at), 0);
        out.set(insert, at);
        out.set(b.subarray(at + m.remove), at + insert.length);
        b = out;
        break;
      }
    }
  }
  return b;
}

const mutatedCase: fc.Arbitrary<Case> = fc
  .tuple(
    fc.nat({ max: VECTORS.length - 1 }),
    fc.array(mutation, { minLength: 1, maxLength: 6 }),
    fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: linkType }),
  )
  .chain(([vi, ms, lt]) => {
    const v = VECTORS[vi]!;
    const bytes = mutate(v.bytes, ms);
    const decoder: 0 | 1 = v.options?.vxlanPorts?.includes(8472) ? 1 : 0;
    return lengths(bytes.length).map(({ capLen, wireLen }) => ({ bytes, capLen, wireLen, linkType: lt < 0 ? v.linkType : lt, decoder }));
  });

describe('decoder properties (fast-check)', () => {
  it('random bytes with any link type: no throw, bounded layers, caps kept, no stale state', () => {
    fc.assert(fc.property(randomCase, (c) => checkCase(c)), { numRuns: 1000 * SCALE });
  });

  it('mutated vectors (bit flips, overwrites, splices, grafts): same properties', () => {
    fc.assert(fc.property(mutatedCase, (c) => checkCase(c)), { numRuns: 2000 * SCALE });
  });

  it('deep nesting built from tunnel vectors stays within MAX_LAYERS and MAX_TUNNEL_DEPTH', () => {
    // Many VLAN tags and IPIP headers in a row: the caps, not the input, must bound the work.
    const vlanFlood = new Uint8Array(14 + 4 * 40 + 20);
    vlanFlood.set([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x81, 0x00]);
    for (let i = 0; i < 40; i++) vlanFlood.set([0, 100, 0x81, 0x00], 14 + 4 * i);
    checkCase({ bytes: vlanFlood, capLen: vlanFlood.length, wireLen: vlanFlood.length, linkType: 1, decoder: 0 });
    const pv = decoders[0].decode(vlanFlood, 0, vlanFlood.length, vlanFlood.length, 1);
    expect(pv.count).toBe(MAX_LAYERS);
    expect(pv.status).toBe(3);
    expect(pv.issue).toBe('packet.too_many_layers');
  });
});
