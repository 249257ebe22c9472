/**
 * Validation helpers for DNS names and planner configuration. Every refusal is a
 * `DomainError.invalid` naming the offending field path.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { DomainError, type FieldProblem } from '#libs/common';

/**
 * The name, label, TTL and owner-id rules live in `#libs/common` (the configuration edge checks the same
 * values in the same words); re-exported here so the planner's surface stays whole.
 */
export { checkDnsName, checkOwnerId, checkTtl, isValidDnsName, isValidLabel, OWNER_ID_PATTERN } from '#libs/common';

/** Port names in SRV owner names: IANA service names as Kubernetes validates them (≤15 chars). */
const PORT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/** True for a Kubernetes port name usable as an SRV `_port` label. */
export function isValidPortName(name: string): boolean {
  return PORT_NAME.test(name) && /[a-z]/.test(name);
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
