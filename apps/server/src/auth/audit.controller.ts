import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AccessRole, AuditService, MAX_AUDIT_LIMIT, parseDurationSeconds } from '#libs/auth';
import { Roles } from './access.decorators.js';
import { parseInput } from './zod-input.js';

const AuditQuery = z.object({
  actor: z.string().max(300).optional(),
  /** An ISO timestamp or a lookback like `1h`. */
  since: z
    .string()
    .max(64)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const seconds = parseDurationSeconds(v);
      if (seconds !== undefined) return new Date(Date.now() - seconds * 1000);
      const at = new Date(v);
      if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
        ctx.addIssue({ code: 'custom', message: 'must be an ISO timestamp (2026-01-02T15:04:05Z) or a duration like 1h' });
        return z.NEVER;
      }
      return at;
    }),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).default(100),
});

/** The audit trail of mutations, newest first: admin only. */
@ApiTags('access')
@ApiBearerAuth()
@Roles(AccessRole.Admin)
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'Read the audit trail (newest first)' })
  @ApiQuery({ name: 'actor', required: false, description: 'e.g. token:ci or oidc:alice' })
  @ApiQuery({ name: 'since', required: false, description: 'ISO timestamp or lookback like 1h' })
  @ApiQuery({ name: 'limit', required: false, description: `1..${MAX_AUDIT_LIMIT}, default 100` })
  async list(@Query() query: unknown) {
    const q = parseInput(AuditQuery, query, 'query');
    return { items: await this.audit.list(q) };
  }
}
