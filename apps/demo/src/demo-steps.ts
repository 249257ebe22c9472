import type { MemberClusterSet } from '#libs/kube-harness';
import type { Narrator } from './narrator.js';

export interface DemoContext {
  root: string;
  fedconfig: string;
  clusters: MemberClusterSet;
  say: Narrator;
  baseUrl: string;
  token: string;
  dnsPort: number;
}

/**
 * The demo's steps after the federation is up. Each feature adds its step here: join the members, deploy
 * a federated app with weights, resolve it through the built-in DNS server, and show a failover.
 */
export class DemoSteps {
  constructor(private readonly ctx: DemoContext) {}

  async runAll(): Promise<void> {
    void this.ctx;
  }
}
