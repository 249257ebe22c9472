import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Every API token starts with this prefix, so secret scanners and humans recognize it. */
export const TOKEN_PREFIX = 'ubt_';

/** Random bytes per token: 32 bytes = 256 bits, encoded as 43 base64url characters. */
export const TOKEN_BYTES = 32;

const TOKEN_SHAPE = /^ubt_[A-Za-z0-9_-]{32,128}$/;

/** A new random API token: `ubt_` + 32 bytes of CSPRNG output in base64url (47 characters in all). */
export function generateToken(): string {
  return TOKEN_PREFIX + randomBytes(TOKEN_BYTES).toString('base64url');
}

/** True when `value` has the shape of an API token (it may still be unknown or revoked). */
export function looksLikeApiToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/**
 * The stored form of a token: lower-case hex SHA-256 of the whole token string. A fast unsalted hash is
 * enough because tokens carry 256 bits of entropy (no dictionary to attack); only hashes are stored.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time (for equal lengths; different lengths are simply unequal). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
