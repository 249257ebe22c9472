/**
 * How failover asks for an immediate DNS publish (withdrawing a NotReady cluster's endpoints, or
 * restoring them). The DNS feature binds its own implementation (its publish job is coalesced per DNS
 * zone); without DNS wiring the server binds {@link NoDnsPublish} and events say so instead of claiming
 * a withdrawal.
 */
export abstract class DnsPublishRequester {
  /** Whether a DNS publisher is bound (events claim DNS changes only then). */
  abstract readonly configured: boolean;
  /** Requests a publish now; returns false when no DNS publisher is configured. */
  abstract requestPublish(reason: string): Promise<boolean>;
}

/** No DNS publisher configured. */
export class NoDnsPublish extends DnsPublishRequester {
  readonly configured = false;
  async requestPublish(): Promise<boolean> {
    return false;
  }
}
