import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { probeMember, ProbeReason, type ProbeResult } from '#libs/kube';
import { MetricsService } from '#libs/observability';
import { ClusterRepository, type ClusterEntity } from '#libs/persistence';
import {
  ClusterConditionReason,
  ClusterConditionType,
  ClustersService,
  storedClusterSpec,
  storedClusterStatus,
  storedProbeCounters,
  ConditionStatus,
  healthCheckSchema,
  type ClusterConditionTransition,
  type ClusterStatus,
  type HealthCheckSpec,
} from '#libs/registry';
import { ClusterHealthEvents } from './cluster-health.events.js';
import { applyProbeVerdict, type ProbeVerdict } from './health-state.js';
import { resolveHealthSettings, type HealthSettings } from './health-settings.js';

/** How often zones, region and version are re-read from a Ready member (also on every Ready transition). */
export const TOPOLOGY_REFRESH_MS = 30_000;
const FEDERATION_SETTINGS_CACHE_MS = 5_000;

/** Probe outcomes → condition reasons. */
const VERDICT_REASON: Record<ProbeReason, ProbeVerdict['reason']> = {
  [ProbeReason.ClusterReady]: ClusterConditionReason.ClusterReady,
  [ProbeReason.ClusterNotReady]: ClusterConditionReason.ClusterNotReady,
  [ProbeReason.ClusterNotReachable]: ClusterConditionReason.ClusterNotReachable,
};

/** What one probe did (returned to the processor and tests). */
export interface ProbeOutcome {
  cluster: string;
  probed: boolean;
  healthy?: boolean;
  latencyMs?: number;
  transitions: ClusterConditionTransition[];
}

/**
 * Probes one member cluster and records the outcome: runs the probe (bounded by the cluster's timeout),
 * applies the health state machine with the cluster's thresholds, refreshes zones/region/version from
 * Node labels when due, stores status + transitions in one transaction, then publishes the transitions.
 * Probes of different clusters are independent jobs; results of one cluster are applied in order.
 */
@Injectable()
export class HealthMonitorService {
  private readonly logger = new Logger('HealthMonitor');
  private readonly applying = new Map<string, Promise<unknown>>();
  private federationCache?: { at: number; value?: HealthCheckSpec };

  constructor(
    private readonly repository: ClusterRepository,
    private readonly clusters: ClustersService,
    private readonly events: ClusterHealthEvents,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  /** Effective probe settings of a cluster (env defaults ← federation setting ← cluster spec). */
  async settingsFor(spec: { healthCheck?: HealthCheckSpec } | undefined): Promise<HealthSettings> {
    return resolveHealthSettings(this.config.health, await this.federationHealth(), spec?.healthCheck);
  }

  async probeCluster(name: string): Promise<ProbeOutcome> {
    const row = await this.repository.findByName(name);
    if (!row) return { cluster: name, probed: false, transitions: [] };
    const settings = await this.settingsFor(storedClusterSpec(row.spec));
    const credentials = this.clusters.credentialsOf(row);
    const startedAt = new Date();
    const result = await probeMember(credentials, { timeoutMs: settings.timeoutSeconds * 1000, lookup: this.clusters.addressGuard() });
    this.metrics.probeDuration.observe({ cluster: name, result: result.healthy ? 'healthy' : result.reason }, result.latencyMs / 1000);
    this.logger.debug({ cluster: name, healthy: result.healthy, latencyMs: result.latencyMs, message: result.message }, 'probe');
    // Apply results of one cluster one after another (a slow probe may finish after the next one started).
    const previous = this.applying.get(row.uid) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(() => this.recordResult(row.uid, result, startedAt, settings));
    this.applying.set(row.uid, current);
    try {
      return await current;
    } finally {
      if (this.applying.get(row.uid) === current) this.applying.delete(row.uid);
    }
  }

  /**
   * Applies one probe result to the stored state: the state machine runs over the counters as stored,
   * under the cluster row's lock (`ClusterRepository.applyProbe`), so results from any number of workers
   * all count and a transition is stored (and published) by exactly one of them. A result older than the
   * last stored probe is dropped. Zones/region/version are read from the member beforehand, when due.
   */
  async recordResult(uid: string, result: ProbeResult, startedAt: Date, settings: HealthSettings): Promise<ProbeOutcome> {
    const before = await this.repository.findByUid(uid);
    if (!before) return { cluster: '', probed: false, transitions: [] };
    const beforeStatus = storedClusterStatus(before.status);
    const readyBefore = beforeStatus.conditions?.find((c) => c.type === ClusterConditionType.Ready)?.status === ConditionStatus.True;
    const refreshDue = !beforeStatus.topologyRefreshTime || Date.now() - new Date(beforeStatus.topologyRefreshTime).getTime() >= TOPOLOGY_REFRESH_MS;
    // Read when it may be needed (a healthy result that keeps or makes the cluster Ready), outside the lock.
    const topology = result.healthy && (refreshDue || !readyBefore) ? await this.readTopology(before, settings) : undefined;

    const applied = await this.repository.applyProbe(uid, (row) => {
      const status = storedClusterStatus(row.status);
      // A probe that started before the last recorded one is stale: drop it.
      if (status.lastProbeTime && new Date(status.lastProbeTime).getTime() > startedAt.getTime()) return undefined;
      const verdict: ProbeVerdict = { healthy: result.healthy, reason: VERDICT_REASON[result.reason], message: result.message };
      const counters = storedProbeCounters(row.probeState);
      const step = applyProbeVerdict(status.conditions ?? [], counters, verdict, settings, startedAt);
      const readyNow = step.conditions.find((c) => c.type === ClusterConditionType.Ready)?.status === ConditionStatus.True;
      const next: ClusterStatus = {
        ...status,
        conditions: step.conditions,
        zones: status.zones ?? [],
        lastProbeTime: startedAt.toISOString(),
        lastProbeLatencyMs: result.latencyMs,
        ...(readyNow && topology ? topology : {}),
      };
      const transitions: ClusterConditionTransition[] = step.changes.map((c) => ({
        cluster: row.name,
        clusterUid: row.uid,
        condition: c.condition,
        from: c.from,
        to: c.to,
        reason: c.reason,
        message: c.message,
        time: startedAt.toISOString(),
      }));
      return {
        status: next,
        probeState: step.counters,
        transitions: transitions.map((t) => ({
          clusterUid: t.clusterUid,
          clusterName: t.cluster,
          condition: t.condition,
          fromStatus: t.from,
          toStatus: t.to,
          reason: t.reason,
          message: t.message,
          occurredAt: startedAt,
        })),
        result: { name: row.name, readyNow, transitions },
      };
    });
    if (!applied.stored) return { cluster: before.name, probed: false, transitions: [] };
    const { name, readyNow, transitions } = applied.result;
    this.metrics.clusterReady.set({ cluster: name }, readyNow ? 1 : 0);
    for (const t of transitions) {
      this.logger.log({ cluster: t.cluster, condition: t.condition, from: t.from, to: t.to, reason: t.reason, message: t.message }, 'cluster condition changed');
      this.events.publish(t);
    }
    return { cluster: name, probed: true, healthy: result.healthy, latencyMs: result.latencyMs, transitions };
  }

  /** Reads zones/region (Node labels) and version; undefined (previous values kept) on failure. */
  private async readTopology(row: ClusterEntity, settings: HealthSettings) {
    const client = this.clusters.memberClientOf(row);
    const timeoutMs = Math.max(1_000, settings.timeoutSeconds * 1000);
    try {
      const [topology, version] = await Promise.all([client.topology(timeoutMs), client.version(timeoutMs)]);
      return { zones: topology.zones, region: topology.region, nodeCount: topology.nodeCount, kubernetesVersion: version, topologyRefreshTime: new Date().toISOString() };
    } catch (error) {
      this.logger.warn({ cluster: row.name, error: (error as Error).message }, 'cannot read zones/version of member');
      return undefined;
    }
  }

  private async federationHealth(): Promise<HealthCheckSpec | undefined> {
    const now = Date.now();
    if (this.federationCache && now - this.federationCache.at < FEDERATION_SETTINGS_CACHE_MS) return this.federationCache.value;
    let value: HealthCheckSpec | undefined;
    const raw = await this.repository.federationSetting('health');
    if (raw !== undefined) {
      const parsed = healthCheckSchema.safeParse(raw);
      if (parsed.success) value = parsed.data;
      else this.logger.warn({ setting: 'health' }, 'ignoring invalid federation health setting');
    }
    this.federationCache = { at: now, value };
    return value;
  }
}
