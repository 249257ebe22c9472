/**
 * Reading a cluster's JSON columns (spec, status, probe counters) back into their types, at the
 * persistence boundary, without casts: every field is checked and anything unexpected (a document from an
 * older version, a hand edit) reads as absent rather than as a wrong type. Writing needs no conversion:
 * the types are plain JSON object types. Pure.
 */
import {
  ClusterConditionReason,
  ClusterConditionType,
  ConditionStatus,
  TaintEffect,
  type ClusterCondition,
  type ClusterSpec,
  type ClusterStatus,
  type ClusterTaint,
  type HealthCheckSpec,
} from './cluster.types.js';

type Json = Record<string, unknown>;

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const oneOf = <T extends string>(values: Record<string, T>, v: unknown): T | undefined => (Object.values(values) as unknown[]).includes(v) ? (v as T) : undefined;
/** Copies the keys whose value is defined (so absent stays absent). */
const defined = <T extends Json>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The stored `spec` column. */
export function storedClusterSpec(raw: unknown): ClusterSpec {
  const s = obj(raw);
  const taints = Array.isArray(s.taints)
    ? s.taints.flatMap((t): ClusterTaint[] => {
        const o = obj(t);
        const key = str(o.key);
        const effect = oneOf(TaintEffect, o.effect);
        return key && effect ? [defined({ key, value: str(o.value), effect })] : [];
      })
    : [];
  const hc = obj(s.healthCheck);
  const healthCheck: HealthCheckSpec = defined({
    periodSeconds: num(hc.periodSeconds),
    timeoutSeconds: num(hc.timeoutSeconds),
    failureThreshold: num(hc.failureThreshold),
    successThreshold: num(hc.successThreshold),
  });
  return defined({
    server: str(s.server) ?? '',
    caData: str(s.caData),
    insecureSkipTLSVerify: s.insecureSkipTLSVerify === true ? true : undefined,
    region: str(s.region),
    zones: Array.isArray(s.zones) ? strings(s.zones) : undefined,
    taints,
    unschedulable: s.unschedulable === true,
    healthCheck: Object.keys(healthCheck).length ? healthCheck : undefined,
  });
}

/** The stored `status` column (an empty document reads as no conditions and no zones). */
export function storedClusterStatus(raw: unknown): ClusterStatus {
  const s = obj(raw);
  const conditions = Array.isArray(s.conditions)
    ? s.conditions.flatMap((c): ClusterCondition[] => {
        const o = obj(c);
        const type = oneOf(ClusterConditionType, o.type);
        const status = oneOf(ConditionStatus, o.status);
        const reason = oneOf(ClusterConditionReason, o.reason);
        const lastTransitionTime = str(o.lastTransitionTime);
        if (!type || !status || !reason || !lastTransitionTime) return [];
        return [defined({ type, status, reason, message: str(o.message) ?? '', lastTransitionTime, lastProbeTime: str(o.lastProbeTime) })];
      })
    : [];
  return defined({
    conditions,
    zones: strings(s.zones),
    region: str(s.region),
    nodeCount: num(s.nodeCount),
    kubernetesVersion: str(s.kubernetesVersion),
    lastProbeTime: str(s.lastProbeTime),
    lastProbeLatencyMs: num(s.lastProbeLatencyMs),
    topologyRefreshTime: str(s.topologyRefreshTime),
  });
}

/** Consecutive probe outcomes (the `probe_state` column). */
export type ProbeCounters = { consecutiveFailures: number; consecutiveSuccesses: number };

/** The stored `probe_state` column (missing counters read as 0). */
export function storedProbeCounters(raw: unknown): ProbeCounters {
  const s = obj(raw);
  const count = (v: unknown) => Math.max(0, Math.floor(num(v) ?? 0));
  return { consecutiveFailures: count(s.consecutiveFailures), consecutiveSuccesses: count(s.consecutiveSuccesses) };
}
