import { createHash } from 'node:crypto';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { MemberObjects, type MemberCredentials } from '#libs/kube';
import { MetricsService } from '#libs/observability';
import { MemberClusterDirectory } from './member-cluster-directory.js';

/**
 * One {@link MemberObjects} (keep-alive HTTPS agent) per member, rebuilt when the stored credentials
 * change (rotation, re-registration). Credentials stay in memory only. Request latencies go to the
 * `ubernetes_member_request_duration_seconds` histogram.
 */
@Injectable()
export class MemberConnections implements OnModuleDestroy {
  private readonly cache = new Map<string, { fingerprint: string; objects: MemberObjects }>();

  constructor(
    private readonly directory: MemberClusterDirectory,
    private readonly metrics: MetricsService,
  ) {}

  async for(cluster: string, timeoutMs: number): Promise<MemberObjects> {
    const credentials = await this.directory.credentials(cluster);
    const fingerprint = fingerprintOf(credentials);
    const cached = this.cache.get(cluster);
    if (cached && cached.fingerprint === fingerprint) return cached.objects;
    cached?.objects.close();
    const objects = new MemberObjects(credentials, timeoutMs, ({ method, status, seconds }) =>
      this.metrics.memberRequestDuration.observe({ cluster, method, code: String(status ?? 0) }, seconds),
    );
    this.cache.set(cluster, { fingerprint, objects });
    return objects;
  }

  onModuleDestroy(): void {
    for (const { objects } of this.cache.values()) objects.close();
    this.cache.clear();
  }
}

function fingerprintOf(c: MemberCredentials): string {
  return createHash('sha256')
    .update(JSON.stringify([c.server, c.caData, c.token, c.clientCertificateData, c.clientKeyData, c.insecureSkipTLSVerify]))
    .digest('hex');
}
