import { EventEmitter } from 'node:events';
import { Injectable, Logger } from '@nestjs/common';
import type { ClusterConditionTransition } from '#libs/registry';

/** Listener of condition transitions; may be async (errors are logged, never propagate). */
export type ClusterTransitionListener = (transition: ClusterConditionTransition) => void | Promise<void>;

/**
 * In-process publication of cluster condition transitions (`Ready` True/False/Unknown, `Offline`), emitted
 * by the health monitor right after the transition row is committed to `cluster_condition_transitions`.
 * Failover subscribes here: `events.onTransition((t) => ...)`. Delivery is at-most-once per process; a
 * subscriber that must not miss a transition (e.g. across restarts) reads the stored history
 * (`ClustersService.history(name)`) or the current conditions on start.
 */
@Injectable()
export class ClusterHealthEvents {
  private readonly emitter = new EventEmitter();
  private readonly logger = new Logger('ClusterHealthEvents');

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  /** Subscribes to every transition; returns the unsubscribe function. */
  onTransition(listener: ClusterTransitionListener): () => void {
    const wrapped = (t: ClusterConditionTransition) => {
      try {
        const result = listener(t);
        if (result && typeof (result as Promise<void>).catch === 'function') {
          (result as Promise<void>).catch((error: unknown) => this.logger.error({ err: error, cluster: t.cluster }, 'cluster transition listener failed'));
        }
      } catch (error) {
        this.logger.error({ err: error, cluster: t.cluster }, 'cluster transition listener failed');
      }
    };
    this.emitter.on('transition', wrapped);
    return () => this.emitter.off('transition', wrapped);
  }

  /** Publishes a stored transition (health monitor only). */
  publish(transition: ClusterConditionTransition): void {
    this.emitter.emit('transition', transition);
  }
}
