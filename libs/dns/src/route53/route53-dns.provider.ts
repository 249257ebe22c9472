/**
 * Route 53 provider: what a hosted zone holds, and how an approved change is sent. The diff and the
 * mass-deletion guard are `publishRecords`'s, the same for every provider.
 *
 * read(apex):
 * 1. resolve the hosted zone (configured id, else ListHostedZonesByName exact match);
 * 2. list every record set (paginated, 300 per page); alias/weighted/other-type names are foreign.
 * apply(zone, change):
 * 3. DELETE (the listed set verbatim, so it matches exactly) and UPSERT changes packed into requests
 *    within Route 53's limits, sent one at a time (one batch in flight per zone);
 * 4. retries on Throttling / PriorRequestNotComplete / 5xx with exponential backoff and full jitter;
 * 5. optionally polls GetChange until INSYNC.
 * The SDK's own retries are disabled (maxAttempts 1) so backoff is decided in one place.
 */
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { DomainError, ErrorCode } from '#libs/common';
import { normalizeName, ownedNameOf, recordSetKey, type RecordSet } from '../planner/index.js';
import type {
  AppliedChange,
  ApprovedChange,
  DnsProvider,
  DnsProviderLogger,
  DnsProviderMetrics,
  ProviderZone,
  PublishOptions,
} from '../provider/dns-provider.js';
import { fromRoute53Name, fromRoute53RecordSet, packChangeBatches, toRoute53RecordSet } from './route53-records.js';
import { withRetry, type RetryOptions } from './retry.js';

/** Static credentials. Never logged. */
export interface Route53Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Client settings (validated at the config edge by the caller). */
export interface Route53ClientConfig {
  /** Default `us-east-1` (Route 53 is global; the region only picks the signing region). */
  region?: string;
  /** Custom endpoint, e.g. a test fake `http://127.0.0.1:PORT`. */
  endpoint?: string;
  /** Static credentials; default from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`. */
  credentials?: Route53Credentials;
  /** Per-request timeout in ms; default 10,000. */
  requestTimeoutMs?: number;
  /**
   * Without static credentials (config or env), let the SDK's default provider chain find them (instance
   * role, SSO, shared config) instead of refusing. Default false.
   */
  defaultCredentialChain?: boolean;
}

/**
 * Builds a Route 53 client with static credentials and SDK retries off.
 * @throws DomainError (Invalid) naming `credentials` when none are configured (values never echoed).
 */
export function createRoute53Client(config: Route53ClientConfig, env: NodeJS.ProcessEnv = process.env): Route53Client {
  const credentials =
    config.credentials ??
    (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined }
      : undefined);
  if ((!credentials?.accessKeyId || !credentials.secretAccessKey) && !config.defaultCredentialChain) {
    throw DomainError.invalid(
      [{ path: 'credentials', message: 'Route 53 needs an access key id and secret (config or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)' }],
      'invalid Route 53 configuration',
    );
  }
  return new Route53Client({
    region: config.region ?? 'us-east-1',
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 1,
    requestHandler: { requestTimeout: config.requestTimeoutMs ?? 10_000 },
  });
}

/** Provider settings (ownership and the deletion guard are `publishRecords`'s). */
export interface Route53ProviderOptions {
  /** Zone apex → hosted zone id (bare `Z…` or `/hostedzone/Z…`); otherwise looked up by name. */
  hostedZoneIds?: Record<string, string>;
  /** When looking up by name: pick the private (true) or public (false, default) zone. */
  privateZone?: boolean;
  retry?: RetryOptions;
  /** Default for `PublishOptions.waitForSync`; default false. */
  waitForSync?: boolean;
  /** GetChange polling interval, default 2,000 ms; timeout default 120,000 ms. */
  syncPollMs?: number;
  syncTimeoutMs?: number;
  /** `dns records published` and retry lines. */
  logger?: DnsProviderLogger;
  /** The `retried` hook. */
  metrics?: DnsProviderMetrics;
}

/** A hosted zone as read: the shared model, plus what Route 53 needs to send DELETEs that match exactly. */
export interface Route53Zone extends ProviderZone {
  hostedZoneId: string;
  /** The listed record set behind each converted one, by `name/TYPE`. */
  listed: Map<string, ResourceRecordSet>;
}

/** The Route 53 provider. */
export class Route53DnsProvider implements DnsProvider<Route53Zone> {
  readonly name = 'route53';
  readonly apexRecords = false;
  readonly synchronous = false;
  private readonly zoneIds = new Map<string, string>();
  /** Configured zone ids already checked against their apex with GetHostedZone. */
  private readonly verified = new Set<string>();

  constructor(
    private readonly client: Route53Client,
    private readonly options: Route53ProviderOptions,
  ) {
    for (const [apex, id] of Object.entries(options.hostedZoneIds ?? {})) this.zoneIds.set(normalizeName(apex), bareId(id));
  }

  async read(apex: string): Promise<Route53Zone> {
    const hostedZoneId = await this.resolveZoneId(apex);
    const current: RecordSet[] = [];
    const listed = new Map<string, ResourceRecordSet>();
    const foreignNames = new Set<string>();
    for (const rs of await this.listRecordSets(hostedZoneId)) {
      const converted = fromRoute53RecordSet(rs);
      if (converted) {
        current.push(converted);
        listed.set(recordSetKey(converted), rs);
      } else {
        const name = fromRoute53Name(rs.Name ?? '');
        foreignNames.add(ownedNameOf(name) ?? name);
      }
    }
    return { apex, current, foreignNames, hostedZoneId, listed, log: { hostedZoneId } };
  }

  async apply(zone: Route53Zone, { ownerId, diff }: ApprovedChange, options: PublishOptions): Promise<AppliedChange> {
    const changes: Change[] = [
      ...diff.delete.map((r) => ({ Action: 'DELETE' as const, ResourceRecordSet: zone.listed.get(recordSetKey(r))! })),
      ...[...diff.create, ...diff.update].map((r) => ({ Action: 'UPSERT' as const, ResourceRecordSet: toRoute53RecordSet(r) })),
    ];
    const applied: AppliedChange = { changed: false, batches: 0, changeIds: [], insync: true };
    if (changes.length === 0) return applied;
    applied.changed = true;
    applied.insync = false;
    const batches = packChangeBatches(changes);
    for (const [i, batch] of batches.entries()) {
      const out = await this.call('ChangeResourceRecordSets', () =>
        this.client.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: zone.hostedZoneId,
            ChangeBatch: { Comment: `ubernetes ${ownerId} ${i + 1}/${batches.length}`, Changes: batch },
          }),
        ),
      );
      applied.changeIds.push(out.ChangeInfo?.Id ?? '');
      applied.batches++;
    }
    this.options.logger?.info(
      { provider: this.name, zone: zone.apex, hostedZoneId: zone.hostedZoneId, created: diff.create.length, updated: diff.update.length, deleted: diff.delete.length, batches: applied.batches },
      'dns records published',
    );
    if (options.waitForSync ?? this.options.waitForSync) {
      for (const id of applied.changeIds) await this.waitInsync(id);
      applied.insync = true;
    }
    return applied;
  }

  /** Resolves (and caches) the hosted zone id for an apex. */
  async resolveZoneId(apex: string): Promise<string> {
    const known = this.zoneIds.get(apex);
    if (known) {
      if (!this.verified.has(known)) {
        const out = await this.call('GetHostedZone', () => this.client.send(new GetHostedZoneCommand({ Id: known })));
        const name = fromRoute53Name(out.HostedZone?.Name ?? '');
        if (name !== apex) {
          throw DomainError.invalid([{ path: 'hostedZoneIds', message: `hosted zone ${known} is ${name}, not ${apex}` }]);
        }
        this.verified.add(known);
      }
      return known;
    }
    const out = await this.call('ListHostedZonesByName', () =>
      this.client.send(new ListHostedZonesByNameCommand({ DNSName: apex, MaxItems: 100 })),
    );
    const matches = (out.HostedZones ?? []).filter(
      (z) => fromRoute53Name(z.Name ?? '') === apex && !!z.Config?.PrivateZone === !!this.options.privateZone,
    );
    if (matches.length === 0) throw DomainError.notFound(`Route 53 hosted zone ${apex}`);
    if (matches.length > 1) {
      throw DomainError.invalid([{ path: 'hostedZoneIds', message: `${matches.length} hosted zones named ${apex}: configure the id` }]);
    }
    const id = bareId(matches[0]!.Id ?? '');
    this.zoneIds.set(apex, id);
    this.verified.add(id);
    return id;
  }

  /** Every record set of the zone, following pagination. */
  async listRecordSets(zoneId: string): Promise<ResourceRecordSet[]> {
    const all: ResourceRecordSet[] = [];
    let start: { name?: string; type?: string; id?: string } = {};
    for (;;) {
      const page = await this.call('ListResourceRecordSets', () =>
        this.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: zoneId,
            MaxItems: 300,
            ...(start.name ? { StartRecordName: start.name, StartRecordType: start.type as never, StartRecordIdentifier: start.id } : {}),
          }),
        ),
      );
      all.push(...(page.ResourceRecordSets ?? []));
      if (!page.IsTruncated) return all;
      start = { name: page.NextRecordName, type: page.NextRecordType, id: page.NextRecordIdentifier };
    }
  }

  private async waitInsync(changeId: string): Promise<void> {
    const poll = this.options.syncPollMs ?? 2_000;
    const timeout = this.options.syncTimeoutMs ?? 120_000;
    const sleep = this.options.retry?.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    for (let waited = 0; ; waited += poll) {
      const out = await this.call('GetChange', () => this.client.send(new GetChangeCommand({ Id: changeId })));
      if (out.ChangeInfo?.Status === 'INSYNC') return;
      if (waited >= timeout) {
        throw new DomainError(ErrorCode.Unavailable, `Route 53 change ${changeId} not INSYNC after ${timeout} ms`);
      }
      await sleep(poll);
    }
  }

  /** One SDK call with retries; maps final failures to DomainErrors (never includes credentials). */
  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await withRetry(fn, {
        ...this.options.retry,
        onRetry: (e) => {
          this.options.metrics?.retried?.({ provider: this.name, operation, ...e });
          this.options.logger?.warn({ provider: this.name, operation, attempt: e.attempt, delayMs: e.delayMs, error: e.error }, 'route53 request retried');
          this.options.retry?.onRetry?.(e);
        },
      });
    } catch (error) {
      const e = error as { name?: string; message?: string };
      if (error instanceof DomainError) throw error;
      const message = `Route 53 ${operation} failed: ${e.name ?? 'Error'}: ${e.message ?? ''}`;
      switch (e.name) {
        case 'Throttling':
        case 'ThrottlingException':
          throw new DomainError(ErrorCode.RateLimited, message);
        case 'PriorRequestNotComplete':
          throw new DomainError(ErrorCode.Unavailable, message);
        case 'InvalidChangeBatch':
          throw new DomainError(ErrorCode.Conflict, message);
        case 'NoSuchHostedZone':
          throw new DomainError(ErrorCode.NotFound, message);
        case 'InvalidInput':
          throw new DomainError(ErrorCode.Invalid, message);
        case 'AccessDenied':
        case 'InvalidClientTokenId':
        case 'SignatureDoesNotMatch':
          throw new DomainError(ErrorCode.Forbidden, message);
        default:
          throw new DomainError(ErrorCode.Unavailable, message);
      }
    }
  }
}

function bareId(id: string): string {
  return id.replace(/^\/?(hostedzone|change)\//, '');
}
