import { lookup as dnsLookup } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { FieldProblem } from '#libs/common';
import type { GuardedLookup } from '#libs/kube';
import { addressRefusal } from './address-policy.js';

/** Resolves a host name to its addresses (injectable for tests). */
export type HostResolver = (hostname: string) => Promise<string[]>;

export const systemResolver: HostResolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Syntactic rules of a member API server URL, pure: https only, no userinfo, a host. Returns problems
 * at `path`.
 */
export function serverUrlProblems(value: string, path = 'spec.server'): FieldProblem[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [{ path, message: 'must be an absolute https:// URL' }];
  }
  const problems: FieldProblem[] = [];
  if (url.protocol !== 'https:') problems.push({ path, message: `must use https:// (got ${url.protocol}//)` });
  if (url.username || url.password) problems.push({ path, message: 'must not carry user information (user:password@)' });
  if (!url.hostname) problems.push({ path, message: 'must name a host' });
  if (url.search || url.hash) problems.push({ path, message: 'must not have a query or fragment' });
  return problems;
}

/** The host of a URL without IPv6 brackets. */
export function urlHost(value: string): string {
  return new URL(value).hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * Full check of a member API server URL: the syntax, then every address the host is (or resolves to)
 * against the address policy. A host that does not resolve is refused too.
 */
export async function checkServerUrl(
  value: string,
  options: { allowLoopback: boolean; resolve?: HostResolver; path?: string },
): Promise<FieldProblem[]> {
  const path = options.path ?? 'spec.server';
  const syntax = serverUrlProblems(value, path);
  if (syntax.length) return syntax;
  const host = urlHost(value);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver)(host);
    } catch (error) {
      return [{ path, message: `host ${host} does not resolve (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})` }];
    }
    if (addresses.length === 0) return [{ path, message: `host ${host} does not resolve` }];
  }
  const refusals = addresses.map((a) => addressRefusal(a, options.allowLoopback)).filter((r): r is string => Boolean(r));
  return refusals.length ? [{ path, message: `refused: ${isIP(host) ? '' : `${host} resolves to `}${refusals.join('; ')}` }] : [];
}

/**
 * A `net.connect` lookup that refuses forbidden addresses at connect time, so a host name re-pointed after
 * registration (DNS rebinding) still cannot reach link-local/metadata addresses.
 */
export function guardedLookup(allowLoopback: boolean): GuardedLookup {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { family: options.family as never, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as { address: string; family: number }[];
      const refused = list.map((a) => addressRefusal(a.address, allowLoopback)).find(Boolean);
      if (refused) return callback(Object.assign(new Error(`refused address: ${refused}`), { code: 'EADDRREFUSED' }), []);
      if (options.all) return callback(null, list);
      callback(null, list[0].address, list[0].family);
    });
  };
}
