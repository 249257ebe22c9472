import { z } from 'zod';
import type { EnvConfig } from './config.schema.js';

const days = (d: number) => z.coerce.number({ message: 'must be a number' }).positive('must be > 0').max(3650, 'must be at most 3650').default(d);

/** How long history is kept (pruned hourly by one process of the fleet), spread into the env schema. */
export const retentionEnvShape = {
  /** Events (`fedctl get events`) older than this are deleted, except failover markers still awaiting their recovery. */
  UBERNETES_RETENTION_EVENTS_DAYS: days(14),
  /** Audit records (`fedctl audit`). */
  UBERNETES_RETENTION_AUDIT_DAYS: days(90),
  /** Cluster condition transitions; the latest 100 of every cluster are kept whatever their age. */
  UBERNETES_RETENTION_TRANSITIONS_DAYS: days(30),
};

/** Validated retention settings (days). */
export interface RetentionConfig {
  eventsDays: number;
  auditDays: number;
  transitionsDays: number;
}

export function retentionConfig(e: EnvConfig): RetentionConfig {
  return { eventsDays: e.UBERNETES_RETENTION_EVENTS_DAYS, auditDays: e.UBERNETES_RETENTION_AUDIT_DAYS, transitionsDays: e.UBERNETES_RETENTION_TRANSITIONS_DAYS };
}
