/**
 * The shared decoder suite (behaves.ts) over every vector, grouped by the
 * decoder each vector exercises first.
 */
import { describe, expect, it } from 'vitest';
import { behavesLikeADecoder } from './behaves.js';
import { VECTORS, type Vector } from './vectors.js';

const groups = new Map<string, Vector[]>();
for (const v of VECTORS) {
  const g = groups.get(v.decoder) ?? [];
  g.push(v);
  groups.set(v.decoder, g);
}

for (const [decoder, vectors] of groups) behavesLikeADecoder(decoder, vectors);

describe('vector table', () => {
  it('names are unique and every vector is in a group', () => {
    expect(new Set(VECTORS.map((v) => v.name)).size).toBe(VECTORS.length);
    expect([...groups.values()].reduce((n, g) => n + g.length, 0)).toBe(VECTORS.length);
  });
});
