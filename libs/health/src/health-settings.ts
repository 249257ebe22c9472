import type { HealthCheckSpec } from '#libs/registry';

/**
 * Effective probe settings of one cluster, pure: per-field, the cluster's `spec.healthCheck` wins over
 * the federation setting (`federation_settings` key `health`), which wins over the environment defaults
 * (`UBERNETES_HEALTH_*`; built-in: period 2 s, timeout 2 s, failure threshold 3, success threshold 2).
 * Worst-case NotReady detection after a cluster hangs ≈ periodSeconds × failureThreshold + timeoutSeconds.
 */
export interface HealthSettings {
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold: number;
}

export const BUILT_IN_HEALTH_SETTINGS: HealthSettings = { periodSeconds: 2, timeoutSeconds: 2, failureThreshold: 3, successThreshold: 2 };

export function resolveHealthSettings(defaults: HealthSettings, federation?: HealthCheckSpec, cluster?: HealthCheckSpec): HealthSettings {
  const pick = <K extends keyof HealthSettings>(key: K): HealthSettings[K] => (cluster?.[key] ?? federation?.[key] ?? defaults[key]) as HealthSettings[K];
  return {
    periodSeconds: pick('periodSeconds'),
    timeoutSeconds: pick('timeoutSeconds'),
    failureThreshold: pick('failureThreshold'),
    successThreshold: pick('successThreshold'),
  };
}

/** Longest time a hung cluster can stay Ready under these settings, in milliseconds. */
export function worstCaseDetectionMs(s: HealthSettings): number {
  return (s.periodSeconds * s.failureThreshold + s.timeoutSeconds) * 1000;
}
