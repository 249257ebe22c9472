/**
 * `#libs/events` — the events a person reads (`GET /api/v1/events`, `fedctl get events`): cluster health,
 * disruption, failover, recovery and DNS. Recorded once per dedup key by whichever lib decides the thing
 * they tell (health, failover, DNS publishing), listed oldest first.
 */
export * from './federation-events.service.js';
