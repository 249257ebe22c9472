/**
 * The failover gate, pure (no I/O, no clock: callers pass `nowMs`): whether the federation is disrupted,
 * and, for every NotReady cluster, from when its replicas may be written off (re-planned onto other
 * clusters). After the Kubernetes node lifecycle controller:
 *
 * - **Disruption modes.** Over the clusters that have been probed (Ready True or False), the federation is
 *   in `FullDisruption` when every one is NotReady and in `PartialDisruption` when at least `threshold` of
 *   them are (`UBERNETES_DISRUPTION_THRESHOLD`, 0.55 like `--unhealthy-zone-threshold`); else `Normal`.
 *   A disrupted federation looks, from inside, like the control plane's own network failing: no replicas
 *   are written off at all while it lasts. A region is disrupted when at least 3 of its clusters and at
 *   least `threshold` of them are NotReady while some are still Ready (the node controller's partial zone
 *   disruption); a region whose every cluster is NotReady is an outage of that region and fails over like
 *   any failure domain.
 * - **Corroboration.** Clusters turn NotReady one probe period apart even when they fail together. While
 *   Ready clusters are failing probes (below their failure threshold) and would, with the NotReady ones,
 *   reach the threshold, write-offs wait for them to decide either way.
 * - **Recovery grace.** When a disruption ends, every cluster still NotReady has its NotReady clock
 *   restarted and gets `recoveryGraceMs` before its replicas can be written off (the node controller
 *   resets its timestamps the same way), so the stragglers of one partition come back without moves.
 * - **Rate limit.** Outside a disruption, at most one failure domain (a cluster's zone set; a cluster
 *   without zones is its own domain) is written off per `intervalMs`: a new domain's slot is the earliest
 *   time at least one interval away from every other domain's slot (used, or reserved for a cluster still
 *   NotReady); clusters of one domain failing within the interval share its slot. Slots are handed out
 *   once and kept for the outage, so every process and every workload sees the same time; the slot of a
 *   cluster that came back is dropped.
 *
 * The workload's own failover delay (annotation or UBERNETES_FAILOVER_DELAY_SECONDS) counts from
 * `clockMs` and applies on top: replicas leave at max(`clockMs` + delay, `atMs`).
 */
import { ConditionStatus } from '#libs/registry';

export enum DisruptionMode {
  Normal = 'Normal',
  PartialDisruption = 'PartialDisruption',
  FullDisruption = 'FullDisruption',
}

/** Why a NotReady cluster's replicas are not written off (yet). */
export enum WriteOffHold {
  FederationDisrupted = 'FederationDisrupted',
  RegionDisrupted = 'RegionDisrupted',
  SuspectClusters = 'SuspectClusters',
  RateLimited = 'RateLimited',
  RecoveryGrace = 'RecoveryGrace',
}

/** Fewest NotReady clusters that make a region disrupted (the node controller's rule for zones). */
export const MIN_DISRUPTED_REGION_CLUSTERS = 3;

/** What the gate reads of a cluster (a subset of the registry's `ClusterView`). */
export interface GateCluster {
  name: string;
  ready: boolean;
  readiness: ConditionStatus;
  /** When it left Ready (ms); unset while Ready. */
  notReadySince?: number;
  zones: readonly string[];
  region?: string;
  /** Consecutive failed probes (a Ready cluster with some is a suspect). */
  failingProbes: number;
}

export interface GateSettings {
  /** Share of NotReady clusters, in (0, 1]. */
  threshold: number;
  recoveryGraceMs: number;
  intervalMs: number;
}

/** The write-off time handed to one NotReady cluster for one outage. */
export interface WriteOffSlot {
  /** The outage it belongs to (the cluster's NotReady time, ms). */
  notReadySince: number;
  domain: string;
  /** From when its replicas may be written off (ms). */
  atMs: number;
  /** Why `atMs` is later than the outage began. */
  reason?: WriteOffHold.RateLimited | WriteOffHold.RecoveryGrace;
}

/** What the gate keeps between evaluations (one document per federation). */
export interface GateState {
  mode: DisruptionMode;
  /** When `mode` began (ms). */
  sinceMs: number;
  /** When the federation last left a disruption (ms). */
  recoveredAtMs?: number;
  /** Regions disrupted at the last evaluation. */
  disruptedRegions: string[];
  /** Per NotReady cluster (name): its slot for the current outage. */
  slots: Record<string, WriteOffSlot>;
  /** The latest slot that was used (its time came while its cluster was NotReady), and its domain. */
  lastSlot?: { atMs: number; domain: string };
}

export interface RegionHealth {
  region: string;
  ready: number;
  notReady: number;
  disrupted: boolean;
}

/** The gate's answer for one NotReady cluster. */
export interface ClusterWriteOff {
  cluster: string;
  /** From when its replicas may be written off (ms); undefined while held with no end in sight. */
  atMs?: number;
  /** Where the workload's failover delay counts from (ms): its NotReady time, or the end of a disruption. */
  clockMs: number;
  /** Set while the write-off waits for the gate (not for the workload's delay). */
  hold?: { reason: WriteOffHold; message: string };
}

export interface GateDecision {
  mode: DisruptionMode;
  sinceMs: number;
  recoveredAtMs?: number;
  ready: number;
  notReady: number;
  /** notReady / (ready + notReady); 0 without probed clusters. */
  share: number;
  threshold: number;
  regions: RegionHealth[];
  /** One per NotReady cluster, by name. */
  writeOffs: ClusterWriteOff[];
  /** The state to store. */
  state: GateState;
}

/** The failure domain of a cluster: its zones, or the cluster itself when it has none. */
export function failureDomainOf(c: Pick<GateCluster, 'name' | 'zones'>): string {
  return c.zones.length ? [...c.zones].sort().join(',') : `cluster/${c.name}`;
}

/** Whether a mode holds every write-off. */
export function isDisrupted(mode: DisruptionMode): boolean {
  return mode !== DisruptionMode.Normal;
}

const pct = (x: number) => `${Math.round(x * 100)}%`;
const iso = (ms: number) => new Date(ms).toISOString();
const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Evaluates the gate over the registered clusters, given what it stored last time. */
export function evaluateGate(clusters: readonly GateCluster[], previous: GateState | undefined, settings: GateSettings, nowMs: number): GateDecision {
  const probed = clusters.filter((c) => c.readiness !== ConditionStatus.Unknown);
  const down = probed.filter((c) => !c.ready).sort((a, b) => (a.notReadySince ?? nowMs) - (b.notReadySince ?? nowMs) || byName(a, b));
  const ready = probed.length - down.length;
  const share = probed.length ? down.length / probed.length : 0;
  const mode = probed.length > 0 && down.length === probed.length ? DisruptionMode.FullDisruption : share >= settings.threshold ? DisruptionMode.PartialDisruption : DisruptionMode.Normal;
  const previousMode = previous?.mode ?? DisruptionMode.Normal;
  // Partial ↔ full is one disruption: its start stays.
  const sinceMs = isDisrupted(mode) === isDisrupted(previousMode) && previous ? previous.sinceMs : nowMs;
  const recoveredAtMs = isDisrupted(previousMode) && !isDisrupted(mode) ? nowMs : previous?.recoveredAtMs;

  const regionCounts = new Map<string, { ready: number; notReady: number }>();
  for (const c of probed) {
    if (!c.region) continue;
    const r = regionCounts.get(c.region) ?? { ready: 0, notReady: 0 };
    if (c.ready) r.ready++;
    else r.notReady++;
    regionCounts.set(c.region, r);
  }
  const regions: RegionHealth[] = [...regionCounts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([region, r]) => ({
      region,
      ...r,
      disrupted: r.ready > 0 && r.notReady >= MIN_DISRUPTED_REGION_CLUSTERS && r.notReady / (r.ready + r.notReady) >= settings.threshold,
    }));
  const disruptedRegions = new Map(regions.filter((r) => r.disrupted).map((r) => [r.region, r]));

  const suspects = probed.filter((c) => c.ready && c.failingProbes > 0).sort(byName);
  const corroborating = suspects.length > 0 && probed.length > 0 && (down.length + suspects.length) / probed.length >= settings.threshold;

  const writeOffs: ClusterWriteOff[] = [];
  const open: { c: GateCluster; since: number; clockMs: number }[] = [];
  for (const c of down) {
    const since = c.notReadySince ?? nowMs;
    const clockMs = recoveredAtMs !== undefined && recoveredAtMs > since ? recoveredAtMs : since;
    const hold = (reason: WriteOffHold, message: string) => writeOffs.push({ cluster: c.name, clockMs, hold: { reason, message } });
    if (isDisrupted(mode)) {
      hold(
        WriteOffHold.FederationDisrupted,
        `the federation is in ${mode} (${down.length}/${probed.length} clusters NotReady, threshold ${pct(settings.threshold)}): the control plane assumes the fault is its own connectivity and writes off no replicas`,
      );
      continue;
    }
    const region = c.region ? disruptedRegions.get(c.region) : undefined;
    if (region) {
      hold(WriteOffHold.RegionDisrupted, `region ${region.region} is disrupted (${region.notReady}/${region.notReady + region.ready} clusters NotReady): no replicas are written off there`);
      continue;
    }
    if (corroborating) {
      hold(
        WriteOffHold.SuspectClusters,
        `${suspects.map((s) => s.name).join(', ')} ${suspects.length === 1 ? 'is' : 'are'} failing probes too (${down.length + suspects.length}/${probed.length} clusters, threshold ${pct(settings.threshold)}): write-offs wait until ${suspects.length === 1 ? 'it turns' : 'they turn'} NotReady or recover`,
      );
      continue;
    }
    open.push({ c, since, clockMs });
  }

  // Slots handed out before are kept for their outage; slots of clusters that came back are gone (a
  // reservation that was never used holds nobody back).
  const slots: Record<string, WriteOffSlot> = {};
  for (const { c, since } of open) {
    const kept = previous?.slots[c.name];
    if (kept && kept.notReadySince === since) slots[c.name] = kept;
  }
  // The last slot that was used (its time passed while its cluster was still NotReady).
  let lastUsed = previous?.lastSlot;
  const used = (s: WriteOffSlot) => {
    if (s.atMs <= nowMs && (!lastUsed || s.atMs >= lastUsed.atMs)) lastUsed = { atMs: s.atMs, domain: s.domain };
  };
  Object.values(slots).forEach(used);
  for (const { c, since, clockMs } of open) {
    if (slots[c.name]) continue;
    const domain = failureDomainOf(c);
    const graceEnd = clockMs > since ? clockMs + settings.recoveryGraceMs : since;
    // A cluster of a domain that is being written off right now shares its slot (a zone counts once).
    const sibling = Object.values(slots).find((s) => s.domain === domain && s.atMs >= nowMs - settings.intervalMs);
    let atMs = sibling ? Math.max(sibling.atMs, graceEnd) : graceEnd;
    if (!sibling) {
      // The earliest time at least one interval away from every other domain's slot, used or reserved.
      const others = [...Object.values(slots), ...(lastUsed ? [lastUsed] : [])].filter((s) => s.domain !== domain).map((s) => s.atMs);
      for (let moved = true; moved; ) {
        moved = false;
        for (const o of others) {
          if (atMs > o - settings.intervalMs && atMs < o + settings.intervalMs) {
            atMs = o + settings.intervalMs;
            moved = true;
          }
        }
      }
    }
    const reason = atMs <= since ? undefined : atMs === graceEnd ? WriteOffHold.RecoveryGrace : WriteOffHold.RateLimited;
    slots[c.name] = { notReadySince: since, domain, atMs, ...(reason ? { reason } : {}) };
    used(slots[c.name]);
  }
  for (const { c, clockMs } of open) {
    const slot = slots[c.name];
    if (slot.atMs > nowMs && slot.reason) {
      const message =
        slot.reason === WriteOffHold.RecoveryGrace
          ? `the federation left a disruption at ${iso(clockMs)}: ${c.name} gets ${Math.round(settings.recoveryGraceMs / 1000)}s to come back before its replicas are written off (at ${iso(slot.atMs)})`
          : `at most one failure domain is written off per ${Math.round(settings.intervalMs / 1000)}s: replicas of ${c.name} (${slot.domain}) can be written off at ${iso(slot.atMs)}`;
      writeOffs.push({ cluster: c.name, atMs: slot.atMs, clockMs, hold: { reason: slot.reason, message } });
    } else {
      writeOffs.push({ cluster: c.name, atMs: slot.atMs, clockMs });
    }
  }
  const lastSlot = lastUsed;
  writeOffs.sort((a, b) => (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0));
  const state: GateState = {
    mode,
    sinceMs,
    ...(recoveredAtMs !== undefined ? { recoveredAtMs } : {}),
    disruptedRegions: [...disruptedRegions.keys()],
    slots,
    ...(lastSlot ? { lastSlot } : {}),
  };
  return { mode, sinceMs, ...(recoveredAtMs !== undefined ? { recoveredAtMs } : {}), ready, notReady: down.length, share, threshold: settings.threshold, regions, writeOffs, state };
}

/**
 * When the replicas of a NotReady cluster may leave, for a workload with `delaySeconds` of failover delay:
 * max(clock + delay, the gate's slot); undefined while the gate holds with no end (ms since epoch).
 */
export function writeOffDueAtMs(writeOff: Pick<ClusterWriteOff, 'atMs' | 'clockMs'>, delaySeconds: number): number | undefined {
  if (writeOff.atMs === undefined) return undefined;
  return Math.max(writeOff.clockMs + delaySeconds * 1000, writeOff.atMs);
}
