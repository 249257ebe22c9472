import { Injectable, Logger } from '@nestjs/common';
import { DnsPublishService } from '#libs/dns-publishing';
import { DnsPublishRequester } from '#libs/failover';

/** Failover's DNS trigger bound to the DNS feature's publisher (a publish job coalesced per DNS zone). */
@Injectable()
export class DnsPublishAdapter extends DnsPublishRequester {
  private readonly logger = new Logger('FailoverDns');
  readonly configured = true;

  constructor(private readonly publisher: DnsPublishService) {
    super();
  }

  async requestPublish(reason: string): Promise<boolean> {
    await this.publisher.requestPublishAll();
    this.logger.debug({ reason }, 'dns publish requested');
    return true;
  }
}
