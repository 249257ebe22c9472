import { Injectable, Optional } from '@nestjs/common';
import { DomainError, ErrorCode } from '#libs/common';
import { ClustersService, type ReencryptReport } from '#libs/registry';

/**
 * The command surface of encryption key rotation (`POST /api/v1/admin/encryption/rotate`, the server's
 * `rotate-encryption-key` command, `fedctl admin rotate-encryption-key`) over the registry's keyring.
 * Rollout without downtime: every replica gets the new key as UBERNETES_ENCRYPTION_KEY and the previous
 * one in UBERNETES_ENCRYPTION_OLD_KEYS (both decrypt), then this re-encrypts every stored credential with
 * the new key; once `failed` is empty the old key can be removed from the environment.
 */
@Injectable()
export class EncryptionRotationService {
  constructor(@Optional() private readonly clusters?: ClustersService) {}

  async rotate(): Promise<ReencryptReport> {
    if (!this.clusters) throw new DomainError(ErrorCode.Unavailable, 'the cluster registry is not part of this process: nothing to re-encrypt');
    return this.clusters.reencryptAll();
  }
}
