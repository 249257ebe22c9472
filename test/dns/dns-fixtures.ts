/**
 * Shared DNS test federation: 3 clusters in 2 regions (us-east-1: zones us-east-1a + us-east-1b;
 * us-west-1: zone us-west-1a), c3 unhealthy.
 */
import type { PlanInput, ServiceInput } from '#libs/dns';

export const SUFFIX = 'example.com';
export const OWNER = 'ubernetes-e2e';
export const N = 'nginx.test.myfed.svc';

export function nginxService(): ServiceInput {
  return {
    namespace: 'test',
    name: 'nginx',
    ports: [
      { name: 'http', protocol: 'TCP', port: 80 },
      { name: 'https', protocol: 'TCP', port: 443 },
      { protocol: 'TCP', port: 9090 },
    ],
    endpoints: [
      { cluster: 'c1', region: 'us-east-1', zones: ['us-east-1a'], healthy: true, ingress: [{ ip: '198.51.100.1' }] },
      { cluster: 'c2', region: 'us-east-1', zones: ['us-east-1b'], healthy: true, ingress: [{ ip: '198.51.100.2' }] },
      { cluster: 'c3', region: 'us-west-1', zones: ['us-west-1a'], healthy: false, ingress: [{ ip: '198.51.100.3' }] },
    ],
  };
}

export function federation(extra: ServiceInput[] = []): PlanInput {
  return { federation: 'myfed', suffix: SUFFIX, ownerId: OWNER, ttl: 30, services: [nginxService(), ...extra] };
}

/** `count` single-cluster services (6 record sets each: zone/region/global A + 3 ownership TXT). */
export function manyServices(count: number): ServiceInput[] {
  return Array.from({ length: count }, (_, i) => ({
    namespace: 'bulk',
    name: `svc-${i}`,
    endpoints: [
      { cluster: 'c1', region: 'us-east-1', zones: ['us-east-1a'], healthy: true, ingress: [{ ip: `10.${(i >> 8) & 255}.${i & 255}.1` }] },
    ],
  }));
}
