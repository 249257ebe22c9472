import pg from 'pg';
import type { Config } from '#libs/config';

/** Callbacks of a {@link PgNotificationListener}. */
export interface PgNotificationHandlers {
  /** A NOTIFY arrived on the channel (payload as sent). */
  onNotify(payload: string): void;
  /** (Re)connected and listening: notifications sent while disconnected were lost, so reload now. */
  onListening?(): void;
  /** The connection failed or dropped; a reconnect is scheduled after `retryInMs`. */
  onError?(error: Error, retryInMs: number): void;
}

/**
 * A dedicated PostgreSQL connection that LISTENs on one channel (pooled connections cannot hold a
 * LISTEN). Reconnects with capped exponential backoff (0.5 s … 10 s) after any error or drop, and calls
 * `onListening` every time it listens again so the owner can catch up on what it missed.
 */
export class PgNotificationListener {
  private client?: pg.Client;
  private timer?: NodeJS.Timeout;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly database: Config['database'],
    private readonly channel: string,
    private readonly handlers: PgNotificationHandlers,
    /** `application_name` of the connection (what `pg_stat_activity` shows). */
    private readonly applicationName = 'ubernetes-dns-listen',
  ) {}

  /** Connects and listens; resolves after the first attempt (a failure schedules a reconnect). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.database.url, connectionTimeoutMillis: 5_000, application_name: this.applicationName, keepAlive: true });
    let failed = false;
    const fail = (error: Error) => {
      if (failed) return;
      failed = true;
      if (this.client === client) this.client = undefined;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      this.retry(error);
    };
    client.on('error', fail);
    client.on('end', () => fail(new Error('connection ended')));
    client.on('notification', (msg) => {
      if (msg.channel === this.channel) this.handlers.onNotify(msg.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel.replace(/"/g, '""')}"`);
      if (this.stopped) {
        failed = true;
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.failures = 0;
      this.handlers.onListening?.();
    } catch (error) {
      fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private retry(error: Error): void {
    if (this.stopped) return;
    const delay = Math.min(500 * 2 ** this.failures++, 10_000);
    this.handlers.onError?.(error, delay);
    this.timer = setTimeout(() => void this.connect(), delay);
    this.timer.unref();
  }
}
