import { isDeepStrictEqual } from 'node:util';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#libs/config';
import { EventReason, EventType, FederationEventsService } from '#libs/events';
import { MetricsService } from '#libs/observability';
import { FederationStateRepository } from '#libs/persistence';
import { toClusterView, type ClusterView } from '#libs/registry';
import { DisruptionMode, evaluateGate, isDisrupted, WriteOffHold, type GateDecision, type GateSettings, type GateState } from './disruption.js';

/** Key of the gate's document in `federation_settings`. */
export const FAILOVER_GATE_KEY = 'failover-gate';

/** Fresh enough for a burst of reconciles, short next to a probe period. */
const CACHE_MS = 500;

/** The gate's decision with the cluster views it was made from (one snapshot). */
export interface GatedClusters {
  clusters: ClusterView[];
  gate: GateDecision;
}

/**
 * The failover gate as a service: evaluates `evaluateGate` (disruption.ts) over the registry's cluster
 * views, stores its state (one document, updated under a lock so every process sees one history),
 * and tells the user: `FederationDisrupted` / `FederationRecovered`, `RegionDisrupted` /
 * `RegionRecovered` and one `FailoverHeld` per held write-off in the events, and the
 * `ubernetes_federation_disruption` / `ubernetes_failover_write_offs_held` gauges.
 * Propagation reads it (through its cluster directory) before it writes off any replicas.
 */
@Injectable()
export class FailoverGate implements OnModuleInit {
  private readonly logger = new Logger('FailoverGate');
  private cached?: { at: number; value: Promise<GatedClusters> };
  /** Events this process has recorded already (the dedup key makes it once per fleet; this spares the insert). */
  private readonly told = new Set<string>();

  constructor(
    private readonly store: FederationStateRepository,
    private readonly events: FederationEventsService,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.metrics.onScrape(async () => this.observe((await this.current()).gate));
  }

  get settings(): GateSettings {
    const f = this.config.failover;
    return { threshold: f.disruptionThreshold, recoveryGraceMs: f.disruptionRecoveryGraceSeconds * 1000, intervalMs: f.intervalSeconds * 1000 };
  }

  /**
   * Evaluates the gate now over the stored clusters, stores what changed and records the events; answers
   * from a 0.5 s cache unless `fresh` or after {@link invalidate} (a health transition does both).
   */
  evaluate(options: { fresh?: boolean } = {}): Promise<GatedClusters> {
    const now = Date.now();
    if (!options.fresh && this.cached && now - this.cached.at < CACHE_MS) return this.cached.value;
    const value = this.evaluateNow(now);
    value.catch(() => {
      if (this.cached?.value === value) this.cached = undefined;
    });
    this.cached = { at: now, value };
    return value;
  }

  /** Forgets the cached decision (the next {@link evaluate} reads the registry again). */
  invalidate(): void {
    this.cached = undefined;
  }

  /** The gate as it stands, without storing anything (API, metrics). */
  async current(nowMs = Date.now()): Promise<GatedClusters> {
    const { value, clusters } = await this.store.read(FAILOVER_GATE_KEY);
    const views = clusters.map(toClusterView);
    return { clusters: views, gate: evaluateGate(views, parseState(value), this.settings, nowMs) };
  }

  private async evaluateNow(nowMs: number): Promise<GatedClusters> {
    const { gated, previous } = await this.store.update(FAILOVER_GATE_KEY, (current, rows) => {
      const previous = parseState(current);
      const clusters = rows.map(toClusterView);
      const gate = evaluateGate(clusters, previous, this.settings, nowMs);
      // Nothing to remember yet (Normal, no slot handed out): no document is written.
      const unchanged = previous ? isDeepStrictEqual(gate.state, previous) : isBlank(gate.state);
      return { value: unchanged ? undefined : gate.state, result: { gated: { clusters, gate }, previous } };
    });
    this.observe(gated.gate);
    await this.tell(gated.gate, previous).catch((error: unknown) => this.logger.warn({ err: (error as Error).message }, 'cannot record failover gate events'));
    return gated;
  }

  private observe(d: GateDecision): void {
    for (const mode of Object.values(DisruptionMode)) this.metrics.federationDisruption.set({ mode }, d.mode === mode ? 1 : 0);
    this.metrics.federationNotReadyShare.set(d.share);
    for (const reason of Object.values(WriteOffHold)) this.metrics.writeOffsHeld.set({ reason }, d.writeOffs.filter((w) => w.hold?.reason === reason).length);
  }

  private async tell(d: GateDecision, previous: GateState | undefined): Promise<void> {
    const federation = `Federation/${this.config.federationName}`;
    const threshold = `${Math.round(d.threshold * 100)}%`;
    const counts = `${d.notReady}/${d.notReady + d.ready} clusters NotReady`;
    const wasDisrupted = isDisrupted(previous?.mode ?? DisruptionMode.Normal);
    if (isDisrupted(d.mode) && !wasDisrupted) {
      this.logger.warn({ mode: d.mode, notReady: d.notReady, ready: d.ready }, 'federation disrupted: no replicas are written off');
      await this.record({
        type: EventType.Warning,
        reason: EventReason.FederationDisrupted,
        object: federation,
        message: `federation disrupted (${d.mode}): ${counts}, threshold ${threshold}; the control plane assumes the fault is its own connectivity and writes off no replicas until fewer than ${threshold} are NotReady (DNS keeps following health)`,
        dedupKey: `federation-disrupted:${new Date(d.sinceMs).toISOString()}`,
        details: { mode: d.mode, notReady: d.notReady, ready: d.ready, threshold: d.threshold },
      });
    }
    if (!isDisrupted(d.mode) && wasDisrupted && d.recoveredAtMs !== undefined) {
      const stragglers = d.writeOffs.map((w) => w.cluster);
      this.logger.log({ notReady: d.notReady, ready: d.ready, stragglers }, 'federation recovered from a disruption');
      await this.record({
        type: EventType.Normal,
        reason: EventReason.FederationRecovered,
        object: federation,
        message: `federation recovered: ${counts}; nothing moves by itself${stragglers.length ? `, and ${stragglers.join(', ')} ${stragglers.length === 1 ? 'gets' : 'get'} ${Math.round(this.settings.recoveryGraceMs / 1000)}s to come back before ${stragglers.length === 1 ? 'its' : 'their'} replicas can be written off` : ''}`,
        dedupKey: `federation-recovered:${new Date(d.recoveredAtMs).toISOString()}`,
        details: { notReady: d.notReady, ready: d.ready, stragglers },
      });
    }
    const before = new Set(previous?.disruptedRegions ?? []);
    for (const r of d.regions) {
      if (r.disrupted === before.has(r.region)) continue;
      await this.record({
        type: r.disrupted ? EventType.Warning : EventType.Normal,
        reason: r.disrupted ? EventReason.RegionDisrupted : EventReason.RegionRecovered,
        object: `Region/${r.region}`,
        message: r.disrupted
          ? `region ${r.region} disrupted: ${r.notReady}/${r.notReady + r.ready} clusters NotReady (threshold ${threshold}); no replicas are written off there`
          : `region ${r.region} recovered: ${r.notReady}/${r.notReady + r.ready} clusters NotReady`,
        dedupKey: `region-${r.disrupted ? 'disrupted' : 'recovered'}:${r.region}:${new Date().toISOString()}`,
        details: { region: r.region, notReady: r.notReady, ready: r.ready },
      });
    }
    for (const w of d.writeOffs) {
      if (!w.hold) continue;
      await this.record({
        type: EventType.Normal,
        reason: EventReason.FailoverHeld,
        object: `Cluster/${w.cluster}`,
        message: `cluster ${w.cluster} NotReady: replicas not written off yet (${w.hold.reason}): ${w.hold.message}`,
        dedupKey: `failover-held:${w.cluster}:${new Date(w.clockMs).toISOString()}:${w.hold.reason}`,
        details: { cluster: w.cluster, reason: w.hold.reason, ...(w.atMs !== undefined ? { writeOffAt: new Date(w.atMs).toISOString() } : {}) },
      });
    }
  }

  private async record(event: Parameters<FederationEventsService['record']>[0]): Promise<void> {
    const key = event.dedupKey!;
    if (this.told.has(key)) return;
    await this.events.record(event);
    this.told.add(key);
    if (this.told.size > 10_000) this.told.clear();
  }
}

/** A state that says nothing the absence of one does not say. */
function isBlank(s: GateState): boolean {
  return s.mode === DisruptionMode.Normal && !Object.keys(s.slots).length && !s.disruptedRegions.length && !s.lastSlot && s.recoveredAtMs === undefined;
}

/** The stored document, or undefined when absent or not a gate state (then the gate starts afresh). */
function parseState(value: unknown): GateState | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const s = value as Partial<GateState>;
  if (!Object.values(DisruptionMode).includes(s.mode as DisruptionMode) || typeof s.sinceMs !== 'number' || !s.slots || typeof s.slots !== 'object') return undefined;
  return { disruptedRegions: [], ...s } as GateState;
}
