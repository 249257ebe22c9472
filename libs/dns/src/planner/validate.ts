/**
 * Validation helpers for DNS names and planner configuration. Every refusal is a
 * `DomainError.invalid` naming the offending field path.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { DomainError, type FieldProblem } from '#libs/common';
import { MAX_TTL } from './record-set.js';

/** Owner ids: 1..63 of `[a-z0-9-]` (fits one DNS label, safe inside the TXT marker). */
export const OWNER_ID_PATTERN = /^[a-z0-9-]{1,63}$/;

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
/** Port names in SRV owner names: IANA service names as Kubernetes validates them (≤15 chars). */
const PORT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * True for a host name usable in this lib: lower-case letters, digits and hyphens in labels of 1..63
 * characters (no leading/trailing hyphen), at least one label, total ≤ 253 characters, no trailing dot.
 * Underscore labels are allowed only where the caller says so (`allowUnderscore`).
 */
export function isValidDnsName(name: string, allowUnderscore = false): boolean {
  if (!name || name.length > 253 || name !== name.toLowerCase()) return false;
  return name
    .split('.')
    .every((l) => LABEL.test(l) || (allowUnderscore && /^_[a-z0-9-]{1,62}$/.test(l)));
}

/** True for one DNS label (as used for regions and zones). */
export function isValidLabel(label: string): boolean {
  return LABEL.test(label);
}

/** True for a Kubernetes port name usable as an SRV `_port` label. */
export function isValidPortName(name: string): boolean {
  return PORT_NAME.test(name) && /[a-z]/.test(name);
}

/** Collects problems for a TTL field (integer seconds in 1..2^31-1). */
export function checkTtl(path: string, ttl: unknown, problems: FieldProblem[]): void {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL) {
    problems.push({ path, message: `must be an integer number of seconds in 1..${MAX_TTL}` });
  }
}

/** Collects problems for a DNS name field. */
export function checkDnsName(path: string, name: unknown, problems: FieldProblem[]): void {
  if (typeof name !== 'string' || !isValidDnsName(name)) {
    problems.push({
      path,
      message: 'must be a valid lower-case DNS name (labels of a-z, 0-9, "-", max 63 chars, total 253, no trailing dot)',
    });
  }
}

/** Collects problems for an owner id. */
export function checkOwnerId(path: string, ownerId: unknown, problems: FieldProblem[]): void {
  if (typeof ownerId !== 'string' || !OWNER_ID_PATTERN.test(ownerId)) {
    problems.push({ path, message: 'must match [a-z0-9-]{1,63}' });
  }
}

/** Throws `DomainError.invalid` if any problem was collected. */
export function throwIfProblems(problems: FieldProblem[], summary: string): void {
  if (problems.length) throw DomainError.invalid(problems, summary);
}

/**
 * Returns the canonical text of an IP address and its family, or `undefined` if not an IP.
 * IPv6 is rendered RFC 5952 style (lower-case, zero run compressed) so equal addresses compare equal.
 */
export function canonicalIp(ip: string): { family: 4 | 6; text: string } | undefined {
  if (isIPv4(ip)) return { family: 4, text: ip.split('.').map((o) => String(Number(o))).join('.') };
  if (isIPv6(ip)) return { family: 6, text: new URL(`http://[${ip}]/`).hostname.slice(1, -1) };
  return undefined;
}
