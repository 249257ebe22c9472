/**
 * DNS name, TTL and owner-id rules shared by the configuration edge (`#libs/config`) and the DNS planner
 * (`#libs/dns`), so a value refused at start is refused in the same words at publish time. Pure string
 * checks: no I/O, no Nest.
 */
import type { FieldProblem } from './errors.js';

/** Largest TTL allowed by RFC 2181 §8 (2^31 - 1 seconds). */
export const MAX_TTL = 2_147_483_647;

/** Owner ids: 1..63 of `[a-z0-9-]` (fits one DNS label, safe inside the TXT ownership marker). */
export const OWNER_ID_PATTERN = /^[a-z0-9-]{1,63}$/;

/** One lower-case LDH label: 1..63 of `[a-z0-9-]`, no leading or trailing hyphen. */
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * True for a host name: lower-case letters, digits and hyphens in labels of 1..63 characters (no
 * leading/trailing hyphen), at least one label, total ≤ 253 characters, no trailing dot.
 * Underscore labels (`_http`, `_ubernetes-owner`) are allowed only where the caller says so
 * (`allowUnderscore`).
 */
export function isValidDnsName(name: string, allowUnderscore = false): boolean {
  if (!name || name.length > 253 || name !== name.toLowerCase()) return false;
  return name.split('.').every((l) => LABEL.test(l) || (allowUnderscore && /^_[a-z0-9-]{1,62}$/.test(l)));
}

/** True for one DNS label (as used for regions and zones). */
export function isValidLabel(label: string): boolean {
  return LABEL.test(label);
}

/** True when `name` equals `apex` or is below it (both lower-case, without trailing dot). */
export function isInZone(name: string, apex: string): boolean {
  return name === apex || name.endsWith(`.${apex}`);
}

/** Collects a problem at `path` unless `ttl` is an integer number of seconds in 1..{@link MAX_TTL}. */
export function checkTtl(path: string, ttl: unknown, problems: FieldProblem[]): void {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
    problems.push({ path, message: `must be an integer number of seconds in 1..${MAX_TTL}` });
  }
}

/** Collects a problem at `path` unless `name` passes {@link isValidDnsName} (no underscore labels). */
export function checkDnsName(path: string, name: unknown, problems: FieldProblem[]): void {
  if (typeof name !== 'string' || !isValidDnsName(name)) {
    problems.push({
      path,
      message: 'must be a valid lower-case DNS name (labels of a-z, 0-9, "-", max 63 chars, total 253, no trailing dot)',
    });
  }
}

/** Collects a problem at `path` unless `ownerId` matches {@link OWNER_ID_PATTERN}. */
export function checkOwnerId(path: string, ownerId: unknown, problems: FieldProblem[]): void {
  if (typeof ownerId !== 'string' || !OWNER_ID_PATTERN.test(ownerId)) {
    problems.push({ path, message: 'must match [a-z0-9-]{1,63}' });
  }
}
