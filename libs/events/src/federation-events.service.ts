import { Injectable, Logger } from '@nestjs/common';
import { FederationEventRepository, type FederationEventEntity } from '#libs/persistence';

/** Event types, as Kubernetes names them. */
export enum EventType {
  Normal = 'Normal',
  Warning = 'Warning',
}

/** Reasons of failover and DNS events (stable strings: tests, dashboards and `--reason` filter on them). */
export enum EventReason {
  ClusterNotReady = 'ClusterNotReady',
  ClusterReady = 'ClusterReady',
  ZoneDown = 'ZoneDown',
  ZoneUp = 'ZoneUp',
  FailoverPending = 'FailoverPending',
  ReplicasMoved = 'ReplicasMoved',
  FailoverIncomplete = 'FailoverIncomplete',
  ClusterRecovered = 'ClusterRecovered',
  DnsWithdrawn = 'DnsWithdrawn',
  DnsRestored = 'DnsRestored',
  /** A service has no healthy endpoint: DNS keeps its last-known addresses (fails open). */
  DnsFailOpen = 'DnsFailOpen',
  /** A held service has a healthy endpoint again: DNS follows health again. */
  DnsFailOpenEnded = 'DnsFailOpenEnded',
  /** The share of NotReady clusters reached the disruption threshold: no replicas are written off. */
  FederationDisrupted = 'FederationDisrupted',
  FederationRecovered = 'FederationRecovered',
  RegionDisrupted = 'RegionDisrupted',
  RegionRecovered = 'RegionRecovered',
  /** A NotReady cluster's replicas are not written off yet (disruption, suspects, rate limit, recovery grace). */
  FailoverHeld = 'FailoverHeld',
}

/** An event as the API serves it. */
export interface FederationEvent {
  /** Increasing id: `?after=<id>` returns only newer events (for watchers such as a demo). */
  id: string;
  time: string;
  type: EventType;
  reason: EventReason | string;
  object: string;
  message: string;
  details: Record<string, unknown>;
}

export interface EventList {
  apiVersion: 'v1';
  kind: 'EventList';
  items: FederationEvent[];
}

/** What one event says; `dedupKey` makes a retried step record it once. */
export interface NewEvent {
  type: EventType;
  reason: EventReason;
  object: string;
  message: string;
  dedupKey?: string;
  details?: Record<string, unknown>;
  time?: Date;
}

/** Events a person reads: recording (deduplicated) and listing. */
@Injectable()
export class FederationEventsService {
  private readonly logger = new Logger('FederationEvents');

  constructor(private readonly repository: FederationEventRepository) {}

  /** Records an event once per dedup key; returns whether it was new. */
  async record(event: NewEvent): Promise<boolean> {
    const created = await this.repository.record({ ...event, dedupKey: event.dedupKey ?? null });
    if (created) this.logger.log({ object: event.object, reason: event.reason }, event.message);
    return created;
  }

  /** Events, oldest first (the most recent `limit`, default 200, at most 1000). */
  async list(query: { since?: Date; after?: string; object?: string; reason?: string; limit?: number } = {}): Promise<EventList> {
    const { after, ...rest } = query;
    const rows = await this.repository.find({ ...rest, afterId: after, limit: Math.min(Math.max(query.limit ?? 200, 1), 1000) });
    return { apiVersion: 'v1', kind: 'EventList', items: rows.map(toEvent) };
  }
}

function toEvent(row: FederationEventEntity): FederationEvent {
  return {
    id: String(row.id),
    time: new Date(row.time).toISOString(),
    type: row.type as EventType,
    reason: row.reason,
    object: row.object,
    message: row.message,
    details: row.details ?? {},
  };
}
