import { fnv1_32 } from './fnv.js';

// Reference values from the FNV test suite (Fowler/Noll/Vo) and Go's hash/fnv New32 (FNV-1, not 1a).
describe('fnv1_32 (Go hash/fnv New32)', () => {
  it.each([
    ['', 0x811c9dc5],
    ['a', 0x050c5d7e],
    ['foobar', 0x31f0b262],
  ])('hashes %j to %i', (text, expected) => {
    expect(fnv1_32(text)).toBe(expected);
  });

  it('is FNV-1, not FNV-1a (FNV-1a of "a" is 0xe40c292c)', () => {
    expect(fnv1_32('a')).not.toBe(0xe40c292c);
  });

  it('hashes exactly the UTF-8 bytes TextEncoder produces (BMP, astral, lone surrogates)', () => {
    const reference = (text: string) => {
      let h = 0x811c9dc5;
      for (const b of new TextEncoder().encode(text)) h = (Math.imul(h, 16777619) ^ b) >>> 0;
      return h;
    };
    for (const text of ['eu-west-1/shop/web', 'é', '€uro', 'zone-日本', '🚀-cluster', 'a\ud800b', 'x\udc00', '\ud83d']) {
      expect(fnv1_32(text)).toBe(reference(text));
    }
  });

  it('hashes UTF-8 bytes and stays unsigned', () => {
    const h = fnv1_32('cluster-é/ns/name');
    expect(Number.isInteger(h)).toBe(true);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(h).toBeLessThan(2 ** 32);
  });
});
