/**
 * The contract every DNS provider implements, so the reconciler publishes planner output the same way to
 * the built-in server, Route 53, or anything added later.
 */
import type { RecordSet } from '../planner/index.js';
import type { DeletionGuardResult } from '../planner/index.js';

/** Per-publish options. */
export interface PublishOptions {
  /** Bypass the mass-deletion guard (an operator-confirmed cleanup). */
  force?: boolean;
  /** Compute and return the diff without changing anything. */
  dryRun?: boolean;
  /** Route 53: wait until the change is INSYNC on all name servers. */
  waitForSync?: boolean;
}

/** What a publish did. */
export interface PublishResult {
  provider: string;
  /** Zone apex (lower-case, no trailing dot). */
  zone: string;
  created: RecordSet[];
  updated: RecordSet[];
  deleted: RecordSet[];
  skippedForeign: RecordSet[];
  /** Number of change requests sent (0 when nothing changed or dry run). */
  batches: number;
  /** Provider change ids (Route 53 `/change/...`), in order. */
  changeIds: string[];
  /** True when the provider confirmed propagation (Route 53 INSYNC), or the provider is synchronous. */
  insync: boolean;
  dryRun: boolean;
}

/** A DNS provider. `publish` converges the owned part of `zone` to `desired`. */
export interface DnsProvider {
  readonly name: string;
  /**
   * @param zone apex of the zone the records live in (e.g. `example.com`).
   * @param desired planner output restricted to that zone (ownership TXTs included).
   * @throws DomainError Invalid (records outside the zone), Conflict (deletion guard refused),
   *   NotFound (zone unknown), Unavailable (provider failures after retries).
   */
  publish(zone: string, desired: readonly RecordSet[], options?: PublishOptions): Promise<PublishResult>;
}

/** Hooks for metrics exporters (e.g. prom-client counters); every hook optional. */
export interface DnsProviderMetrics {
  /** The mass-deletion guard refused a publish. */
  deletionGuardTripped?(event: { provider: string; zone: string } & DeletionGuardResult): void;
  /** A publish finished (successfully). */
  published?(event: { provider: string; zone: string; created: number; updated: number; deleted: number; skippedForeign: number; batches: number }): void;
  /** A provider request is being retried. */
  retried?(event: { provider: string; operation: string; error: string; attempt: number; delayMs: number }): void;
}

/** Structured logger subset used by providers (pino-compatible). */
export interface DnsProviderLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}
