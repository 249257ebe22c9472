import { Logger, type FactoryProvider } from '@nestjs/common';
import { AppConfig, DnsProviderName } from '#libs/config';
import { createRoute53Client, Route53DnsProvider, type DnsProvider } from '#libs/dns';
import { StoreDnsProvider } from './store-dns.provider.js';

/**
 * The DNS providers of this federation, as DNS_PROVIDERS configures them (built by
 * {@link dnsProvidersFactory}; the publisher drives each one the same way, `publishRecords`):
 * - `builtin`, the database store: always, whatever DNS_PROVIDERS says, because it holds the desired
 *   state every `dns` replica serves and every other provider is pushed from (DNS_PROVIDERS only decides
 *   whether the records API lists it);
 * - `route53`: when DNS_PROVIDERS names it, pushed from the store in a job of its own.
 */
export class DnsProviders {
  constructor(
    readonly builtin: StoreDnsProvider,
    /** A {@link Route53DnsProvider} (the publisher needs only the contract). */
    readonly route53?: DnsProvider,
  ) {}
}

/** Nest factory provider of {@link DnsProviders}: the providers DNS_PROVIDERS names, from the validated config. */
export const dnsProvidersFactory: FactoryProvider<DnsProviders> = {
  provide: DnsProviders,
  inject: [AppConfig, StoreDnsProvider],
  useFactory: (config: AppConfig, builtin: StoreDnsProvider) => {
    const r53 = config.dns.providers.includes(DnsProviderName.Route53) ? config.dns.route53 : undefined;
    if (!r53) return new DnsProviders(builtin);
    // The publisher's log context: one filter shows every line of a publish, Route 53's included.
    const logger = new Logger('DnsPublishService');
    // Credentials from the validated config only (never the process env); without them the SDK's own chain.
    const client = createRoute53Client({ region: r53.region, endpoint: r53.endpoint, credentials: r53.credentials, defaultCredentialChain: true }, {});
    return new DnsProviders(
      builtin,
      new Route53DnsProvider(client, {
        hostedZoneIds: r53.hostedZoneId ? { [r53.hostedZoneName]: r53.hostedZoneId } : undefined,
        waitForSync: r53.waitForSync,
        logger: {
          info: (o, m) => logger.log(o, m),
          warn: (o, m) => logger.warn(o, m),
          error: (o, m) => logger.error(o, m),
          debug: (o, m) => logger.debug(o, m),
        },
      }),
    );
  },
};
