import { digestsEqual, generateToken, hashToken, looksLikeApiToken, TOKEN_PREFIX } from './token-format.js';

describe('API token format', () => {
  it('is ubt_ plus 32 random bytes in base64url', () => {
    const token = generateToken();
    expect(token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(token).toMatch(/^ubt_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);
    expect(looksLikeApiToken(token)).toBe(true);
  });

  it('never repeats', () => {
    const tokens = new Set(Array.from({ length: 1000 }, generateToken));
    expect(tokens.size).toBe(1000);
  });

  it('is stored as the SHA-256 hex of the whole token', () => {
    expect(hashToken('ubt_abc')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken('ubt_abc')).toBe(hashToken('ubt_abc'));
    expect(hashToken('ubt_abc')).not.toBe(hashToken('ubt_abd'));
    // known vector: sha256("abc")
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('compares digests in constant time and treats other lengths as different', () => {
    const h = hashToken('x');
    expect(digestsEqual(h, hashToken('x'))).toBe(true);
    expect(digestsEqual(h, hashToken('y'))).toBe(false);
    expect(digestsEqual(h, h.slice(1))).toBe(false);
    expect(digestsEqual('', '')).toBe(true);
  });

  it('recognizes the token shape only', () => {
    for (const v of ['', 'ubt_', 'ubt_short', 'Bearer ubt_' + 'a'.repeat(43), 'ubx_' + 'a'.repeat(43), 'ubt_' + 'a'.repeat(42) + '!']) {
      expect([v, looksLikeApiToken(v)]).toEqual([v, false]);
    }
  });
});
