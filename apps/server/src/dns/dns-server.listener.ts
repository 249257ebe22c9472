import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { DnsServer } from '#libs/dns';
import { DbRecordSource } from '#libs/dns-publishing';

/**
 * The `dns` role: the built-in authoritative server on DNS_HOST:DNS_PORT (UDP + TCP), answering from the
 * DB-backed record source. Binds at module init (a taken port stops the start with one line) and closes
 * on shutdown. With DNS_PORT=0 the bound port is logged (`dns server listening`) and readable from
 * {@link DnsServerListener.port}.
 */
@Injectable()
export class DnsServerListener implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('DnsServer');
  private server?: DnsServer;

  constructor(
    private readonly source: DbRecordSource,
    private readonly config: AppConfig,
  ) {}

  /** The bound UDP/TCP port (0 before start). */
  get port(): number {
    return this.server?.port ?? 0;
  }

  get address(): string {
    return this.config.dns.host;
  }

  async onModuleInit(): Promise<void> {
    await this.source.start();
    const server = new DnsServer(this.source, { address: this.config.dns.host, port: this.config.dns.port });
    try {
      await server.start();
    } catch (error) {
      await this.source.stop();
      throw new Error(`cannot listen for DNS on ${this.config.dns.host}:${this.config.dns.port} (DNS_HOST/DNS_PORT): ${(error as Error).message}`, { cause: error });
    }
    this.server = server;
    this.logger.log({ address: this.config.dns.host, port: server.port, zone: this.config.dns.zone }, `dns server listening on ${this.config.dns.host}:${server.port}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server?.stop();
    await this.source.stop();
  }
}
