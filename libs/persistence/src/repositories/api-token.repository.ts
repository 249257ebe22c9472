import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, type Repository } from 'typeorm';
import { ApiTokenEntity } from '../entities/api-token.entity.js';

/** Unique-violation SQLSTATE of PostgreSQL. */
const UNIQUE_VIOLATION = '23505';

/** API tokens by hash and by name; revocation keeps the row (for the audit trail) and frees the name. */
@Injectable()
export class ApiTokenRepository {
  private readonly repo: Repository<ApiTokenEntity>;

  constructor(dataSource: DataSource) {
    this.repo = dataSource.getRepository(ApiTokenEntity);
  }

  /** Inserts a token; returns false (and stores nothing) when an active token already has the name. */
  async insertIfNameFree(token: ApiTokenEntity): Promise<boolean> {
    try {
      await this.repo.insert(token);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION || (error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION) return false;
      throw error;
    }
  }

  findByHash(tokenHash: string): Promise<ApiTokenEntity | null> {
    return this.repo.findOneBy({ tokenHash });
  }

  findActiveByName(name: string): Promise<ApiTokenEntity | null> {
    return this.repo.findOneBy({ name, revokedAt: IsNull() });
  }

  /** Tokens that are not revoked, oldest first. */
  listActive(): Promise<ApiTokenEntity[]> {
    return this.repo.find({ where: { revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  countAll(): Promise<number> {
    return this.repo.count();
  }

  /** Marks the active token of that name revoked; returns the revoked row or null when there was none. */
  async revokeByName(name: string, at: Date): Promise<ApiTokenEntity | null> {
    const token = await this.findActiveByName(name);
    if (!token) return null;
    const result = await this.repo.update({ id: token.id, revokedAt: IsNull() }, { revokedAt: at });
    if (!result.affected) return null;
    return { ...token, revokedAt: at };
  }

  /** Records use (callers throttle this to about once a minute per token). */
  async touch(id: string, at: Date): Promise<void> {
    await this.repo.update({ id }, { lastUsedAt: at });
  }
}
