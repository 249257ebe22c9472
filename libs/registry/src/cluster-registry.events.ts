import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { EventEmitter } from 'node:events';
import { AppConfig } from '#libs/config';
import { PgNotificationListener, PgNotifier, registryNotifyChannel } from '#libs/persistence';

/**
 * A registration was created, changed (spec/labels/credentials) or removed; `resync` after this process
 * may have missed some (its notification connection came back): subscribers re-derive everything.
 */
export interface ClusterRegistryEvent {
  type: 'registered' | 'updated' | 'deleted' | 'resync';
  cluster: string;
  clusterUid: string;
}

/**
 * Registry changes, fleet-wide: an event is delivered at once in the process that made the change and,
 * through PostgreSQL NOTIFY (channel per schema, ids only), in every other process of the fleet — so with
 * `UBERNETES_ROLES=api` and `=worker` split, a PATCH or DELETE on the api still re-plans on the workers.
 * After the notification connection drops and comes back, a `resync` event tells subscribers to
 * re-derive what they may have missed. Listeners must not throw.
 */
@Injectable()
export class ClusterRegistryEvents implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ClusterRegistryEvents');
  private readonly emitter = new EventEmitter();
  /** This process: its own notifications are already delivered locally. */
  private readonly origin = randomUUID();
  private readonly channel: string;
  private listener?: PgNotificationListener;
  private listening = false;

  constructor(
    private readonly notifier: PgNotifier,
    private readonly config: AppConfig,
  ) {
    this.channel = registryNotifyChannel(config.database.schema);
    this.emitter.setMaxListeners(50);
  }

  async onModuleInit(): Promise<void> {
    this.listener = new PgNotificationListener(
      this.config.database,
      this.channel,
      {
        onNotify: (payload) => this.receive(payload),
        onListening: () => {
          // The first time is the start (nothing missed yet); later ones follow a lost connection.
          if (this.listening) this.deliver({ type: 'resync', cluster: '', clusterUid: '' });
          this.listening = true;
        },
        onError: (error, retryInMs) => this.logger.warn({ err: error.message, retryInMs }, 'registry change listener disconnected; reconnecting'),
      },
      'ubernetes-registry-listen',
    );
    await this.listener.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.listener?.stop();
  }

  /** Delivers here at once and to every other process (a failed NOTIFY is logged; periodic syncs cover it). */
  emit(event: ClusterRegistryEvent): void {
    this.deliver(event);
    this.notifier.notify(this.channel, JSON.stringify({ ...event, origin: this.origin })).catch((error: unknown) => {
      this.logger.warn({ err: (error as Error).message, cluster: event.cluster }, 'cannot notify other processes of a registry change');
    });
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (event: ClusterRegistryEvent) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }

  private receive(payload: string): void {
    let event: (ClusterRegistryEvent & { origin?: string }) | undefined;
    try {
      event = JSON.parse(payload) as ClusterRegistryEvent & { origin?: string };
    } catch {
      return;
    }
    if (!event || event.origin === this.origin || !['registered', 'updated', 'deleted'].includes(event.type) || typeof event.cluster !== 'string') return;
    this.deliver({ type: event.type, cluster: event.cluster, clusterUid: String(event.clusterUid ?? '') });
  }

  private deliver(event: ClusterRegistryEvent): void {
    this.emitter.emit('change', event);
  }
}
