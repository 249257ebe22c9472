import { ConfigError, DnsProviderName, loadConfig } from './index.js';

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('DNS configuration', () => {
  it('defaults: builtin provider on 127.0.0.1:5353, TTL 30, owner id = federation name', () => {
    const { dns } = loadConfig({ FEDERATION_NAME: 'myfed' });
    expect(dns).toEqual({
      zone: 'ubernetes.local',
      ttl: 30,
      ownerId: 'myfed',
      host: '127.0.0.1',
      port: 5353,
      providers: [DnsProviderName.Builtin],
      maxDeleteShare: 0.3,
      resyncSeconds: 30,
    });
  });

  it('refuses zone, TTL and owner id in the planner’s words, naming each variable', () => {
    const message = refusal({ DNS_ZONE: 'Bad_Zone', DNS_TTL: '1.5', DNS_OWNER_ID: 'UPPER' });
    expect(message).toContain('DNS_ZONE must be a valid lower-case DNS name');
    expect(message).toContain('DNS_TTL must be an integer number of seconds in 1..2147483647 (got "1.5")');
    expect(message).toContain('DNS_OWNER_ID must match [a-z0-9-]{1,63} (got "UPPER")');
    expect(message.split('\n')).toHaveLength(1);
  });

  it('checks the server address, port, providers and guard share', () => {
    const message = refusal({ DNS_HOST: 'localhost', DNS_PORT: '70000', DNS_PROVIDERS: 'builtin,bind', DNS_MAX_DELETE_SHARE: '2' });
    for (const v of ['DNS_HOST', 'DNS_PORT', 'DNS_PROVIDERS', 'DNS_MAX_DELETE_SHARE']) expect(message).toContain(v);
  });

  it('requires Route 53 settings only with the route53 provider, and never echoes the secret', () => {
    expect(refusal({ DNS_PROVIDERS: 'route53' })).toContain('ROUTE53_HOSTED_ZONE_ID or ROUTE53_HOSTED_ZONE_NAME is required');
    expect(refusal({ DNS_PROVIDERS: 'route53', ROUTE53_HOSTED_ZONE_ID: 'Z1', AWS_SECRET_ACCESS_KEY: 'hunter2' })).not.toContain('hunter2');
    const { dns } = loadConfig({
      DNS_ZONE: 'fed.example.com',
      DNS_PROVIDERS: 'builtin,route53',
      ROUTE53_HOSTED_ZONE_NAME: 'example.com',
      ROUTE53_ENDPOINT: 'http://127.0.0.1:4566',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(dns.route53).toEqual({
      hostedZoneName: 'example.com',
      hostedZoneId: undefined,
      endpoint: 'http://127.0.0.1:4566',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
      waitForSync: false,
    });
    expect(loadConfig({ ROUTE53_HOSTED_ZONE_NAME: 'example.com' }).dns.route53).toBeUndefined();
  });
});
