import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { DomainError, ErrorCode } from '#libs/common';

/**
 * Encryption of secrets at rest (member credentials) with AES-256-GCM and a keyring.
 *
 * Ciphertext format: `enc:v1:<keyId>:<base64(iv[12] | tag[16] | ciphertext)>`, where `keyId` is the
 * first 16 hex digits of SHA-256 of the key, so a ciphertext names the key that opens it. The keyring holds
 * one current key (all new encryption) and any number of older keys (decryption only). Rotation: make the
 * new key current, list the old one as older, re-encrypt everything, then drop the old key.
 *
 * Callers pass associated data (e.g. `cluster:<uid>`): a ciphertext copied to another record fails to
 * decrypt instead of silently lending its credentials.
 */
export class Keyring {
  private readonly keys = new Map<string, Buffer>();
  readonly currentKeyId: string;

  constructor(current: Buffer, older: Buffer[] = []) {
    for (const key of [current, ...older]) {
      if (key.length !== 32) throw new DomainError(ErrorCode.Invalid, 'encryption keys must be 32 bytes (AES-256)');
    }
    this.currentKeyId = Keyring.keyId(current);
    this.keys.set(this.currentKeyId, current);
    for (const key of older) if (!this.keys.has(Keyring.keyId(key))) this.keys.set(Keyring.keyId(key), key);
  }

  /** Stable, non-secret identifier of a key. */
  static keyId(key: Buffer): string {
    return createHash('sha256').update(key).digest('hex').slice(0, 16);
  }

  /** Builds a keyring from base64 keys (config `UBERNETES_ENCRYPTION_KEY` / `UBERNETES_ENCRYPTION_OLD_KEYS`). */
  static fromBase64(current: string, older: string[] = []): Keyring {
    return new Keyring(Buffer.from(current, 'base64'), older.map((k) => Buffer.from(k, 'base64')));
  }

  /** Key ids this keyring can decrypt. */
  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  encrypt(plaintext: string, associatedData: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(Buffer.from(associatedData, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `enc:v1:${this.currentKeyId}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  /** Key id a ciphertext was made with (without decrypting it). */
  static keyIdOf(ciphertext: string): string {
    const parts = ciphertext.split(':');
    if (parts.length !== 4 || parts[0] !== 'enc' || parts[1] !== 'v1') throw new DomainError(ErrorCode.Internal, 'not a keyring ciphertext');
    return parts[2];
  }

  decrypt(ciphertext: string, associatedData: string): string {
    const keyId = Keyring.keyIdOf(ciphertext);
    const key = this.keys.get(keyId);
    if (!key) {
      throw new DomainError(ErrorCode.Internal, `credentials were encrypted with key ${keyId}, which is not in the keyring (add it to UBERNETES_ENCRYPTION_OLD_KEYS)`);
    }
    const raw = Buffer.from(ciphertext.split(':')[3], 'base64');
    if (raw.length < 28) throw new DomainError(ErrorCode.Internal, 'ciphertext is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    try {
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new DomainError(ErrorCode.Internal, `ciphertext does not authenticate with key ${keyId} (tampered or moved between records)`);
    }
  }

  /** Whether a ciphertext needs re-encryption with the current key. */
  isStale(ciphertext: string): boolean {
    return Keyring.keyIdOf(ciphertext) !== this.currentKeyId;
  }
}

/** Where the current key came from, for the start-up warning. */
export type KeySource = 'configured' | 'derived-dev';

/**
 * The server's keyring from configuration. Outside dev mode a missing key is a start-up error with one
 * line naming the variable; in dev mode a key is derived from the federation name (stable across restarts,
 * NOT secret) and the caller logs a warning.
 */
export function keyringFromConfig(
  encryption: { key?: string; oldKeys: string[] },
  devMode: boolean,
  federationName: string,
): { keyring: Keyring; source: KeySource } {
  if (encryption.key) return { keyring: Keyring.fromBase64(encryption.key, encryption.oldKeys), source: 'configured' };
  if (!devMode) {
    throw new DomainError(
      ErrorCode.Invalid,
      'UBERNETES_ENCRYPTION_KEY is required outside dev mode: set it to the base64 of 32 random bytes (openssl rand -base64 32)',
      [{ path: 'UBERNETES_ENCRYPTION_KEY', message: 'is required' }],
    );
  }
  const derived = createHash('sha256').update(`ubernetes-dev-mode-insecure-key:${federationName}`).digest();
  return { keyring: new Keyring(derived, encryption.oldKeys.map((k) => Buffer.from(k, 'base64'))), source: 'derived-dev' };
}
