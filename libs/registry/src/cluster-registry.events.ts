import { Injectable } from '@nestjs/common';
import { EventEmitter } from 'node:events';

/** A registration was created, changed (spec/labels/credentials) or removed. */
export interface ClusterRegistryEvent {
  type: 'registered' | 'updated' | 'deleted';
  cluster: string;
  clusterUid: string;
}

/**
 * In-process notifications of registry changes (the health scheduler subscribes to start/stop probing
 * at once; a periodic resync covers other processes). Listeners must not throw.
 */
@Injectable()
export class ClusterRegistryEvents {
  private readonly emitter = new EventEmitter();

  emit(event: ClusterRegistryEvent): void {
    this.emitter.emit('change', event);
  }

  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (event: ClusterRegistryEvent) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}
