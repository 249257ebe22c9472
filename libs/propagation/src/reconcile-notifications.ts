import { EventEmitter } from 'node:events';
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { PgNotificationListener, reconciledNotifyChannel } from '#libs/persistence';

/**
 * Convergence notifications, fleet-wide: every reconcile record that commits (and every finished deletion)
 * sends a PostgreSQL NOTIFY on `ubernetes_reconciled_<schema>` with the object uid as payload, in the same
 * statement as the record (`FederatedObjectRepository.recordReconcile`), so a notification means the
 * record is there to read. This service LISTENs (one dedicated connection per process, opened on the
 * first subscription) and delivers each uid to every subscriber in this process — the process that made
 * the record included. A reconcile that found nothing new stores nothing and sends nothing.
 *
 * Delivery is at most once per notification and uids may repeat (PostgreSQL does not fold notifications
 * of different transactions): subscribers must be idempotent. After the connection comes back, `resync`
 * is signalled instead of what was lost. Handlers must not throw (a throw is logged and dropped).
 */
@Injectable()
export class ReconcileNotifications implements OnApplicationShutdown {
  private readonly logger = new Logger('ReconcileNotifications');
  private readonly emitter = new EventEmitter();
  private listener?: PgNotificationListener;
  private listening = false;

  constructor(private readonly config: AppConfig) {
    this.emitter.setMaxListeners(50);
  }

  /**
   * Subscribes; returns the unsubscribe function. The first subscription of the process starts listening.
   * @param reconciled a reconcile of `uid` stored something new (work items, status), or its deletion
   *   finished (the row is gone).
   * @param resync this process may have missed notifications (its connection dropped and is back): re-read
   *   whatever the subscriber derives from reconcile records.
   */
  subscribe(reconciled: (uid: string) => void, resync?: () => void): () => void {
    const onUid = (uid: string) => this.call(() => reconciled(uid));
    const onResync = () => resync && this.call(resync);
    this.emitter.on('reconciled', onUid);
    this.emitter.on('resync', onResync);
    this.start();
    return () => {
      this.emitter.off('reconciled', onUid);
      this.emitter.off('resync', onResync);
    };
  }

  /** The channel this process listens on (`ubernetes_reconciled_<schema>`, at most 63 bytes). */
  get channel(): string {
    return reconciledNotifyChannel(this.config.database.schema);
  }

  async onApplicationShutdown(): Promise<void> {
    this.emitter.removeAllListeners();
    await this.listener?.stop();
    this.listener = undefined;
  }

  private start(): void {
    if (this.listener) return;
    this.listener = new PgNotificationListener(
      this.config.database,
      this.channel,
      {
        onNotify: (uid) => uid && this.emitter.emit('reconciled', uid),
        onListening: () => {
          // The first time is the start (nothing missed yet); later ones follow a lost connection.
          if (this.listening) this.emitter.emit('resync');
          this.listening = true;
        },
        onError: (error, retryInMs) => this.logger.warn({ err: error.message, retryInMs }, 'reconcile notification listener disconnected; reconnecting'),
      },
      'ubernetes-reconciled-listen',
    );
    void this.listener.start();
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'reconcile notification handler failed');
    }
  }
}
