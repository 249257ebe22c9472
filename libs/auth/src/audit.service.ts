import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { AuditEventRepository, type AuditEventEntity } from '#libs/persistence';
import type { AuditTarget } from './audit-target.js';

/** Outcome of an audited request. */
export enum AuditResult {
  Success = 'success',
  /** The handler (or its validation) refused or failed: 4xx/5xx after authorization. */
  Failure = 'failure',
  /** Authentication or authorization refused the request (401/403). */
  Denied = 'denied',
  /** The client went away before the response was complete. */
  Aborted = 'aborted',
}

/** One audit record as the API returns it. */
export interface AuditEvent {
  at: string;
  actor: string;
  role: string | null;
  method: string;
  route: string;
  kind: string;
  namespace: string | null;
  name: string | null;
  subresource: string | null;
  statusCode: number;
  result: AuditResult;
  requestId: string | null;
}

export interface AuditInput {
  at: Date;
  actor: string;
  role?: string;
  method: string;
  route: string;
  target: AuditTarget;
  statusCode: number;
  result: AuditResult;
  requestId?: string;
}

/** Most rows one read returns. */
export const MAX_AUDIT_LIMIT = 1000;

/** Most records one INSERT writes. */
const MAX_AUDIT_BATCH = 500;

type AuditRow = Omit<AuditEventEntity, 'id'>;

/**
 * The audit trail: an append-only table of mutations. Writes happen after the response (they never delay
 * or fail a request). One write runs at a time: a record arriving while one runs waits for it and goes
 * with every other waiting record in the next INSERT, so a burst of mutations costs a few statements
 * instead of one each, and an idle server writes at once. A failed batch is retried record by record;
 * a record that still fails is logged with its request id. Reads in the same process (and shutdown) first
 * wait for the records this process holds, so a caller always sees its own earlier mutations.
 */
@Injectable()
export class AuditService implements BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditService');
  private queued: AuditRow[] = [];
  private writing?: Promise<void>;

  constructor(private readonly events: AuditEventRepository) {}

  record(input: AuditInput): void {
    this.queued.push({
      at: input.at,
      actor: input.actor,
      role: input.role ?? null,
      method: input.method,
      route: input.route,
      kind: input.target.kind,
      namespace: input.target.namespace ?? null,
      name: input.target.name ?? null,
      subresource: input.target.subresource ?? null,
      statusCode: input.statusCode,
      result: input.result,
      requestId: input.requestId ?? null,
    });
    this.writing ??= this.drain();
  }

  /** Waits until every record this process holds is written (or logged as failed). */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private async drain(): Promise<void> {
    try {
      while (this.queued.length) {
        const batch = this.queued.splice(0, MAX_AUDIT_BATCH);
        try {
          await this.events.append(batch);
        } catch {
          for (const row of batch) {
            await this.events.append([row]).catch((err: unknown) => this.logger.error({ err, requestId: row.requestId }, 'cannot write audit record'));
          }
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  async list(query: { actor?: string; since?: Date; limit?: number }): Promise<AuditEvent[]> {
    await this.flush();
    const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_AUDIT_LIMIT);
    return (await this.events.findRecent({ actor: query.actor, since: query.since, limit })).map(toEvent);
  }
}

function toEvent(e: AuditEventEntity): AuditEvent {
  return {
    at: e.at.toISOString(),
    actor: e.actor,
    role: e.role,
    method: e.method,
    route: e.route,
    kind: e.kind,
    namespace: e.namespace,
    name: e.name,
    subresource: e.subresource,
    statusCode: e.statusCode,
    result: e.result as AuditResult,
    requestId: e.requestId,
  };
}
