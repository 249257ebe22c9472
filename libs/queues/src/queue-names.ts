/**
 * Every BullMQ queue of Ubernetes. Names and per-queue job options live here and only here.
 * - `health`: cluster probes and zone discovery (issue: registry).
 * - `reconcile`: per federated object propagation, coalesced per object.
 * - `dns`: DNS publish, coalesced per DNS zone.
 * - `failover`: re-planning after cluster health transitions, coalesced per workload.
 */
export enum QueueName {
  Health = 'health',
  Reconcile = 'reconcile',
  Dns = 'dns',
  Failover = 'failover',
}

export const ALL_QUEUES: readonly QueueName[] = Object.values(QueueName);
