const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Longest accepted token lifetime: one year (longer lived credentials should be re-issued). */
export const MAX_DURATION_SECONDS = 366 * 86400;

/**
 * Parses a lifetime such as `90s`, `30m`, `24h`, `7d`, `2w` (one number and one unit) into seconds.
 * Returns `undefined` for anything else, for zero, and for more than {@link MAX_DURATION_SECONDS}.
 */
export function parseDurationSeconds(value: string): number | undefined {
  const match = /^(\d{1,6})([smhdw])$/.exec(value.trim());
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2]];
  return seconds > 0 && seconds <= MAX_DURATION_SECONDS ? seconds : undefined;
}
