import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, ErrorCode } from '#libs/common';
import { AppConfig } from '#libs/config';
import { ApiTokenRepository, type ApiTokenEntity } from '#libs/persistence';
import { AccessRole, isAccessRole, ACCESS_ROLES } from './access-role.js';
import { parseDurationSeconds } from './duration.js';
import { PrincipalKind, type Principal } from './principal.js';
import { digestsEqual, generateToken, hashToken, looksLikeApiToken } from './token-format.js';

/** A token as listed: never the token or its hash. */
export interface TokenInfo {
  name: string;
  role: AccessRole;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** Name of the admin token generated at first start. */
export const GENERATED_BOOTSTRAP_TOKEN_NAME = 'bootstrap-admin';

const NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

/** How often a token's `last_used_at` is written at most (per process). */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * API tokens: creation (the token is returned once), listing, revocation and authentication. Tokens are
 * looked up by the SHA-256 of the presented value; a revoked or expired token authenticates nobody.
 */
@Injectable()
export class TokensService {
  private readonly bootstrapHash?: string;
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly tokens: ApiTokenRepository,
    config: AppConfig,
  ) {
    this.bootstrapHash = config.auth.bootstrapToken ? hashToken(config.auth.bootstrapToken) : undefined;
  }

  /** Creates a token; `expiresIn` is a lifetime like `24h`. Throws Invalid or AlreadyExists. */
  async create(input: { name: string; role: string; expiresIn?: string }, createdBy: string, now = new Date()): Promise<TokenInfo & { token: string }> {
    const problems = [];
    if (!NAME.test(input.name)) problems.push({ path: 'name', message: 'must be a DNS-1123 subdomain-like name of at most 63 characters (a-z, 0-9, -, .)' });
    if (!isAccessRole(input.role)) problems.push({ path: 'role', message: `must be one of ${ACCESS_ROLES.join(', ')}` });
    let expiresAt: Date | null = null;
    if (input.expiresIn !== undefined) {
      const seconds = parseDurationSeconds(input.expiresIn);
      if (seconds === undefined) problems.push({ path: 'expiresIn', message: 'must be a duration like 30m, 24h or 7d (at most 366d)' });
      else expiresAt = new Date(now.getTime() + seconds * 1000);
    }
    if (problems.length) throw DomainError.invalid(problems, 'invalid token');
    const token = generateToken();
    const row: ApiTokenEntity = {
      id: randomUUID(),
      name: input.name,
      role: input.role,
      tokenHash: hashToken(token),
      createdBy,
      createdAt: now,
      expiresAt,
      revokedAt: null,
      lastUsedAt: null,
    };
    if (!(await this.tokens.insertIfNameFree(row))) throw new DomainError(ErrorCode.AlreadyExists, `token "${input.name}" already exists`);
    return { ...info(row), token };
  }

  async list(): Promise<TokenInfo[]> {
    return (await this.tokens.listActive()).map(info);
  }

  /** Revokes the token of that name at once (the next request with it gets 401). */
  async revoke(name: string, now = new Date()): Promise<TokenInfo & { revokedAt: string }> {
    const row = NAME.test(name) ? await this.tokens.revokeByName(name, now) : null;
    if (!row) throw DomainError.notFound(`token "${name}"`);
    return { ...info(row), revokedAt: now.toISOString() };
  }

  /**
   * The caller a presented bearer value stands for, or `undefined` when it is no valid token (unknown,
   * revoked, expired, malformed). Never throws for bad input and never echoes it.
   */
  async authenticate(presented: string, now = new Date()): Promise<Principal | undefined> {
    if (presented.length > 512) return undefined;
    const hash = hashToken(presented);
    if (this.bootstrapHash && digestsEqual(hash, this.bootstrapHash)) {
      return { kind: PrincipalKind.Bootstrap, id: 'bootstrap', actor: 'bootstrap', role: AccessRole.Admin };
    }
    if (!looksLikeApiToken(presented)) return undefined;
    const row = await this.tokens.findByHash(hash);
    if (!row || !digestsEqual(row.tokenHash, hash)) return undefined;
    if (row.revokedAt || (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) || !isAccessRole(row.role)) return undefined;
    this.touch(row.id, now);
    return { kind: PrincipalKind.Token, id: row.id, actor: `token:${row.name}`, role: row.role };
  }

  /**
   * At first start of a deployment without `UBERNETES_BOOTSTRAP_TOKEN` and without any stored token,
   * creates an admin token and returns it (the caller prints it once). Returns undefined otherwise. Two
   * replicas starting together cannot both create one: the name is unique among active tokens.
   */
  async ensureBootstrapToken(): Promise<string | undefined> {
    if (this.bootstrapHash) return undefined;
    if ((await this.tokens.countAll()) > 0) return undefined;
    try {
      const created = await this.create({ name: GENERATED_BOOTSTRAP_TOKEN_NAME, role: AccessRole.Admin }, 'system');
      return created.token;
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.AlreadyExists) return undefined;
      throw error;
    }
  }

  private touch(id: string, now: Date): void {
    const last = this.touched.get(id) ?? 0;
    if (now.getTime() - last < TOUCH_INTERVAL_MS) return;
    if (this.touched.size > 10_000) this.touched.clear();
    this.touched.set(id, now.getTime());
    void this.tokens.touch(id, now).catch(() => undefined);
  }
}

function info(row: ApiTokenEntity): TokenInfo {
  return {
    name: row.name,
    role: row.role as AccessRole,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}
