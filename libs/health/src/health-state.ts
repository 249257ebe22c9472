import {
  ClusterConditionReason,
  ClusterConditionType,
  ConditionStatus,
  type ClusterCondition,
  type ProbeCounters,
} from '#libs/registry';

/**
 * The cluster health state machine, pure (no I/O, no clock: callers pass `now`).
 *
 * Input: the cluster's current conditions, its consecutive probe counters, one probe verdict and the
 * thresholds. Rules:
 * - Counters: a healthy probe increments `consecutiveSuccesses` and zeroes `consecutiveFailures`; an
 *   unhealthy one does the opposite.
 * - `Ready` Unknown (never probed): the first verdict decides at once (nothing to debounce yet).
 * - `Ready` True → False after `failureThreshold` consecutive failed probes; reason is the last failure's
 *   (ClusterNotReady: answered but unhealthy; ClusterNotReachable: no answer / timeout).
 * - `Ready` False → True after `successThreshold` consecutive healthy probes; reason ClusterReady.
 * - `Offline` is True exactly while Ready is False for ClusterNotReachable; it follows each unhealthy
 *   verdict while NotReady and turns False when Ready turns True. Below the failure threshold nothing
 *   changes (a single lost probe never flaps the cluster).
 * - `lastTransitionTime` changes only when a condition's status changes; each change is returned as a
 *   transition (from, to, reason, message) for the history and the health events.
 */
export interface ProbeVerdict {
  healthy: boolean;
  reason: ClusterConditionReason.ClusterReady | ClusterConditionReason.ClusterNotReady | ClusterConditionReason.ClusterNotReachable;
  message: string;
}

/** The probe counters as stored (`probe_state`): the registry's {@link ProbeCounters}. */
export type HealthCounters = ProbeCounters;

export interface HealthThresholds {
  /** Consecutive failed probes that turn a Ready cluster NotReady (≥ 1). */
  failureThreshold: number;
  /** Consecutive healthy probes that turn a NotReady cluster Ready (≥ 1). */
  successThreshold: number;
}

export interface ConditionChange {
  condition: ClusterConditionType;
  from: ConditionStatus;
  to: ConditionStatus;
  reason: ClusterConditionReason;
  message: string;
}

export interface HealthStep {
  conditions: ClusterCondition[];
  counters: HealthCounters;
  changes: ConditionChange[];
}

export const ZERO_COUNTERS: HealthCounters = { consecutiveFailures: 0, consecutiveSuccesses: 0 };

/** Applies one probe verdict. Returns new conditions (Ready then Offline), counters and the changes. */
export function applyProbeVerdict(
  conditions: readonly ClusterCondition[],
  counters: HealthCounters,
  verdict: ProbeVerdict,
  thresholds: HealthThresholds,
  now: Date,
): HealthStep {
  const at = now.toISOString();
  const next: HealthCounters = verdict.healthy
    ? { consecutiveFailures: 0, consecutiveSuccesses: counters.consecutiveSuccesses + 1 }
    : { consecutiveFailures: counters.consecutiveFailures + 1, consecutiveSuccesses: 0 };

  const ready = find(conditions, ClusterConditionType.Ready);
  const offline = find(conditions, ClusterConditionType.Offline);

  let readyStatus = ready.status;
  let readyReason = ready.reason;
  let readyMessage = ready.message;
  let offlineStatus = offline.status;

  if (ready.status === ConditionStatus.Unknown) {
    readyStatus = verdict.healthy ? ConditionStatus.True : ConditionStatus.False;
  } else if (ready.status === ConditionStatus.True && !verdict.healthy && next.consecutiveFailures >= thresholds.failureThreshold) {
    readyStatus = ConditionStatus.False;
  } else if (ready.status === ConditionStatus.False && verdict.healthy && next.consecutiveSuccesses >= thresholds.successThreshold) {
    readyStatus = ConditionStatus.True;
  }

  if (readyStatus === ConditionStatus.True) {
    if (ready.status !== ConditionStatus.True || verdict.healthy) {
      readyReason = ClusterConditionReason.ClusterReady;
      readyMessage = verdict.healthy ? verdict.message : readyMessage;
    }
    if (!verdict.healthy) readyMessage = `${verdict.message} (${next.consecutiveFailures}/${thresholds.failureThreshold} failed probes)`;
    offlineStatus = ConditionStatus.False;
  } else {
    if (!verdict.healthy) {
      readyReason = verdict.reason;
      readyMessage = verdict.message;
      offlineStatus = verdict.reason === ClusterConditionReason.ClusterNotReachable ? ConditionStatus.True : ConditionStatus.False;
    } else {
      readyMessage = `recovering: ${next.consecutiveSuccesses}/${thresholds.successThreshold} healthy probes`;
    }
  }
  if (offlineStatus === ConditionStatus.Unknown) offlineStatus = ConditionStatus.False;

  const changes: ConditionChange[] = [];
  const readyNext: ClusterCondition = {
    type: ClusterConditionType.Ready,
    status: readyStatus,
    reason: readyReason,
    message: readyMessage,
    lastTransitionTime: readyStatus !== ready.status ? at : ready.lastTransitionTime,
    lastProbeTime: at,
  };
  if (readyStatus !== ready.status) {
    changes.push({ condition: ClusterConditionType.Ready, from: ready.status, to: readyStatus, reason: readyReason, message: readyMessage });
  }
  const keepOffline = offlineStatus === offline.status && offline.reason !== ClusterConditionReason.ClusterPending;
  const offlineNext: ClusterCondition = {
    type: ClusterConditionType.Offline,
    status: offlineStatus,
    reason: keepOffline
      ? offline.reason
      : offlineStatus === ConditionStatus.True
        ? ClusterConditionReason.ClusterNotReachable
        : readyStatus === ConditionStatus.True
          ? ClusterConditionReason.ClusterReady
          : ClusterConditionReason.ClusterNotReady,
    message: keepOffline ? offline.message : offlineStatus === ConditionStatus.True ? readyMessage : 'the API server answers',
    lastTransitionTime: offlineStatus !== offline.status ? at : offline.lastTransitionTime,
    lastProbeTime: at,
  };
  if (offlineStatus !== offline.status) {
    changes.push({ condition: ClusterConditionType.Offline, from: offline.status, to: offlineStatus, reason: offlineNext.reason, message: offlineNext.message });
  }
  return { conditions: [readyNext, offlineNext], counters: next, changes };
}

function find(conditions: readonly ClusterCondition[], type: ClusterConditionType): ClusterCondition {
  return (
    conditions.find((c) => c.type === type) ?? {
      type,
      status: ConditionStatus.Unknown,
      reason: ClusterConditionReason.ClusterPending,
      message: 'no probe has completed yet',
      lastTransitionTime: new Date(0).toISOString(),
    }
  );
}
