/**
 * The shared "behaves like a decoder" suite (node_pcap's convention): run
 * over every vector of a decoder, whatever the protocol.
 *
 * Truncation sweep. Every prefix 0..n of a vector is decoded as a record
 * with capLen = prefix and wireLen = the vector's wire length, and must:
 *  - not throw, and keep the structural invariants (support.ts);
 *  - report no more layers than the whole packet, and the layers it reports
 *    are the whole packet's first layers (same proto, same offset): a cut
 *    never invents a header;
 *  - keep every layer inside the prefix (offset + length <= prefix);
 *  - be `truncated` whenever prefix < wire length. This holds for prefixes
 *    that yield zero layers too (prefix 0 of Ethernet is
 *    eth.truncated_header): a cut record is truncated even when nothing of
 *    it could be decoded. The only exception is a vector whose whole
 *    decode is itself not ok (malformed, unsupported): a prefix that reaches
 *    the damage reports the whole packet's status instead, so for those the
 *    status is `truncated` or the whole packet's status. Never `ok`, and
 *    never `malformed` for a cut that only the capture made;
 *  - name the truncation in its issue (a `*.truncated_*` code or
 *    frame.snaplen), except where a note came first (see the BIG TCP bug
 *    test in decoder.test.ts).
 * Afterwards the whole vector decodes exactly as it did before the sweep
 * (packetJson and packetLine compared): the reused view carries nothing
 * over from the prefixes.
 *
 * Stale state. At every prefix, a decoder whose view was filled with garbage
 * beforehand renders exactly like one whose view was fresh.
 */
import { describe, expect, it } from 'vitest';
import { PacketDecoder } from '../../src/decode/decoder.js';
import { PROTO_NAMES, STATUS_NAMES } from '../../src/decode/packet.js';
import { NOTE_CODES, StaleStateProbe, decodeVector, invariantViolation, rendered, wireLenOf } from './support.js';
import type { Vector } from './vectors.js';

const TRUNCATION_ISSUE = /(^frame\.snaplen$)|(\.truncated_[a-z_]+$)/;

/** Known stale-state bugs, by vector name: the stale-state test runs as it.fails. None open. */
export const STALE_STATE_BUGS: Record<string, string> = {};

export function behavesLikeADecoder(decoderName: string, vectors: readonly Vector[]): void {
  describe(`${decoderName} behaves like a decoder`, () => {
    for (const v of vectors) {
      describe(v.name, () => {
        it('truncation sweep: every prefix decodes cleanly, truncated, within bounds', () => {
          const dec = new PacketDecoder(v.options ?? {});
          const wireLen = wireLenOf(v);
          const whole = decodeVector(dec, v);
          const before = rendered(whole, v.bytes.length, wireLen, true);
          const full = {
            count: whole.count,
            status: whole.status,
            layers: Array.from({ length: whole.count }, (_, i) => ({ proto: PROTO_NAMES[whole.layer(i).proto], offset: whole.layer(i).offset })),
          };

          // Checked by hand and reported once: an expect() per prefix and layer is most of the run time.
          const problems: string[] = [];
          for (let n = 0; n <= v.bytes.length && problems.length === 0; n++) {
            const at = `prefix ${n}/${v.bytes.length}`;
            let pv;
            try {
              pv = dec.decode(v.bytes, 0, n, wireLen, v.linkType);
            } catch (err) {
              problems.push(`${at}: decode threw ${String(err)}`);
              break;
            }
            const broken = invariantViolation(pv, n);
            if (broken) problems.push(`${at}: ${broken}`);
            if (pv.count > full.count) problems.push(`${at}: ${pv.count} layers, more than the whole packet's ${full.count}`);
            for (let i = 0; i < pv.count; i++) {
              const l = pv.layer(i);
              const want = full.layers[i];
              if (want && (PROTO_NAMES[l.proto] !== want.proto || l.offset !== want.offset)) {
                problems.push(`${at}: layer ${i} is ${PROTO_NAMES[l.proto]}@${l.offset}, the whole packet has ${want.proto}@${want.offset}`);
              }
              if (l.offset + l.length > n) problems.push(`${at}: layer ${i} ends at ${l.offset + l.length}`);
            }
            if (n < wireLen) {
              const status = STATUS_NAMES[pv.status]!;
              const allowed = full.status === 0 ? ['truncated'] : ['truncated', STATUS_NAMES[full.status]!];
              if (!allowed.includes(status)) problems.push(`${at}: status ${status} (issue ${pv.issue}), expected ${allowed.join(' or ')}`);
              if (status === 'truncated' && !NOTE_CODES.has(pv.issue) && !TRUNCATION_ISSUE.test(pv.issue)) {
                problems.push(`${at}: truncated, but the issue is ${pv.issue}`);
              }
            }
          }
          expect(problems).toEqual([]);

          const after = rendered(decodeVector(dec, v), v.bytes.length, wireLen, true);
          expect(after).toEqual(before);
        });

        const bug = STALE_STATE_BUGS[v.name];
        const staleTest = bug ? it.fails : it;
        staleTest(`no stale state: a poisoned view renders like a fresh one at every prefix${bug ? ' [known bug]' : ''}`, () => {
          const probe = new StaleStateProbe(v.options ?? {});
          const wireLen = wireLenOf(v);
          let first: { prefix: number; diff: unknown } | null = null;
          for (let n = 0; n <= v.bytes.length && !first; n++) {
            const diff = probe.compare(v.bytes, n, wireLen, v.linkType);
            if (diff) first = { prefix: n, diff };
          }
          expect(first).toBeNull();
        });
      });
    }
  });
}
