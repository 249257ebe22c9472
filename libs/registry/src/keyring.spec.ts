import { randomBytes } from 'node:crypto';
import { DomainError } from '#libs/common';
import { Keyring, keyringFromConfig } from './keyring.js';

describe('Keyring', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips and never contains the plaintext', () => {
    const ring = new Keyring(k1);
    const c = ring.encrypt('secret-token', 'cluster:1');
    expect(c).toMatch(/^enc:v1:[0-9a-f]{16}:/);
    expect(c).not.toContain('secret-token');
    expect(Buffer.from(c.split(':')[3], 'base64').toString('latin1')).not.toContain('secret-token');
    expect(ring.decrypt(c, 'cluster:1')).toBe('secret-token');
  });

  it('uses a fresh IV each time', () => {
    const ring = new Keyring(k1);
    expect(ring.encrypt('x', 'a')).not.toBe(ring.encrypt('x', 'a'));
  });

  it('refuses a ciphertext moved to another record (associated data)', () => {
    const ring = new Keyring(k1);
    expect(() => ring.decrypt(ring.encrypt('t', 'cluster:1'), 'cluster:2')).toThrow(DomainError);
  });

  it('supports rotation: old keys decrypt, the current key encrypts, stale ciphertexts are detected', () => {
    const before = new Keyring(k1).encrypt('t', 'a');
    const during = new Keyring(k2, [k1]);
    expect(during.isStale(before)).toBe(true);
    expect(during.decrypt(before, 'a')).toBe('t');
    const after = during.encrypt(during.decrypt(before, 'a'), 'a');
    expect(during.isStale(after)).toBe(false);
    const dropped = new Keyring(k2);
    expect(dropped.decrypt(after, 'a')).toBe('t');
    expect(() => dropped.decrypt(before, 'a')).toThrow(/not in the keyring/);
  });

  it('detects tampering', () => {
    const ring = new Keyring(k1);
    const c = ring.encrypt('token', 'a');
    const raw = Buffer.from(c.split(':')[3], 'base64');
    raw[raw.length - 1] ^= 1;
    expect(() => ring.decrypt(`enc:v1:${Keyring.keyId(k1)}:${raw.toString('base64')}`, 'a')).toThrow(/does not authenticate/);
  });
});

describe('keyringFromConfig', () => {
  it('refuses to run without a key outside dev mode, in one line naming the variable', () => {
    expect(() => keyringFromConfig({ oldKeys: [] }, false, 'f')).toThrow(/^UBERNETES_ENCRYPTION_KEY is required[^\n]*$/);
  });

  it('derives a stable key in dev mode', () => {
    const a = keyringFromConfig({ oldKeys: [] }, true, 'f');
    const b = keyringFromConfig({ oldKeys: [] }, true, 'f');
    expect(a.source).toBe('derived-dev');
    expect(a.keyring.currentKeyId).toBe(b.keyring.currentKeyId);
  });

  it('uses the configured key with older keys', () => {
    const key = randomBytes(32).toString('base64');
    const old = randomBytes(32).toString('base64');
    const { keyring, source } = keyringFromConfig({ key, oldKeys: [old] }, false, 'f');
    expect(source).toBe('configured');
    expect(keyring.keyIds).toHaveLength(2);
  });
});
