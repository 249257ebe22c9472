import { Injectable, Logger } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { DnsPublishService } from '#libs/dns-publishing';
import { DnsPublishRequester } from '#libs/failover';

/**
 * Failover's DNS trigger bound to the DNS feature's publisher (a publish job coalesced per DNS zone),
 * found at run time so that a server without the DNS feature still starts: then it reports "not
 * configured" and failover events claim no DNS change.
 */
@Injectable()
export class DnsPublishAdapter extends DnsPublishRequester {
  private readonly logger = new Logger('FailoverDns');
  private publisher?: DnsPublishService | null;

  constructor(private readonly moduleRef: ModuleRef) {
    super();
  }

  get configured(): boolean {
    return this.lookup() !== null;
  }

  async requestPublish(reason: string): Promise<boolean> {
    const publisher = this.lookup();
    if (!publisher) return false;
    await publisher.requestPublishAll();
    this.logger.debug({ reason }, 'dns publish requested');
    return true;
  }

  private lookup(): DnsPublishService | null {
    if (this.publisher === undefined) {
      try {
        this.publisher = this.moduleRef.get(DnsPublishService, { strict: false });
      } catch {
        this.publisher = null;
      }
    }
    return this.publisher;
  }
}
