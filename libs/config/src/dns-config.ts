import { isIP } from 'node:net';
import { z } from 'zod';
import { checkDnsName, checkOwnerId, checkTtl, isInZone, type FieldProblem } from '#libs/common';
import type { EnvConfig } from './config.schema.js';

/** DNS providers records are published to. The built-in store (and server) always holds the desired state. */
export enum DnsProviderName {
  Builtin = 'builtin',
  Route53 = 'route53',
}

/** Adds the planner's problems (`#libs/common`'s rules, the wording of `planRecords` refusals) as zod issues. */
const plannerCheck =
  (check: (path: string, value: unknown, problems: FieldProblem[]) => void) =>
  (value: unknown, ctx: z.RefinementCtx): void => {
    const problems: FieldProblem[] = [];
    check('value', value, problems);
    for (const p of problems) ctx.addIssue({ code: 'custom', message: p.message });
  };

const share = z.coerce
  .number({ message: 'must be a number' })
  .min(0, 'must be between 0 and 1')
  .max(1, 'must be between 0 and 1');

const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * DNS global service discovery variables, spread into the env schema. Zone, TTL and owner id are checked
 * with the rules the DNS planner uses (`#libs/common`), so a refusal at start reads like a refusal at
 * publish time.
 */
export const dnsEnvShape = {
  /** The DNS suffix (zone apex) records are published under: `S.N.F.svc.[Z.R.]<DNS_ZONE>`. */
  DNS_ZONE: z.string().default('ubernetes.local').superRefine(plannerCheck(checkDnsName)),
  /** TTL in seconds of every published record. */
  DNS_TTL: z
    .string()
    .default('30')
    .transform((v) => (/^\s*-?\d+(\.\d+)?\s*$/.test(v) ? Number(v) : Number.NaN))
    .superRefine(plannerCheck(checkTtl)),
  /** Identity written into ownership TXT records; default FEDERATION_NAME. */
  DNS_OWNER_ID: z.string().superRefine(plannerCheck(checkOwnerId)).optional(),
  /** Address and port of the built-in authoritative server (`dns` role); port 0 picks a free port. */
  DNS_HOST: z.string().default('127.0.0.1').refine((v) => isIP(v) !== 0, 'must be an IPv4 or IPv6 address'),
  DNS_PORT: z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(5353),
  /** Comma list of providers: `builtin` (default) and/or `route53`. */
  DNS_PROVIDERS: z
    .string()
    .default('builtin')
    .transform((v) => [...new Set(v.split(',').map((p) => p.trim()).filter(Boolean))])
    .pipe(z.array(z.enum(DnsProviderName, { message: `must be a comma list of ${Object.values(DnsProviderName).join(', ')}` })).min(1, 'must name at least one provider')),
  /** Largest share (0..1) of owned record sets one publish may delete (mass-deletion guard). */
  DNS_MAX_DELETE_SHARE: share.default(0.3),
  /** Seconds between full republishes of the zone (catches anything a trigger missed). */
  DNS_RESYNC_SECONDS: z.coerce.number({ message: 'must be a number' }).positive('must be > 0').max(86_400, 'must be at most 86400').default(30),
  /** Route 53 (only with DNS_PROVIDERS containing route53): the hosted zone by id or by name. */
  ROUTE53_HOSTED_ZONE_ID: z.string().regex(/^(\/hostedzone\/)?[A-Z0-9]{1,32}$/, 'must be a hosted zone id like Z0123456789ABC').optional(),
  ROUTE53_HOSTED_ZONE_NAME: z.string().superRefine(plannerCheck(checkDnsName)).optional(),
  /** A Route 53-compatible endpoint (tests, LocalStack); default the AWS endpoint. */
  ROUTE53_ENDPOINT: z
    .string()
    .refine((value) => {
      try {
        return ['http:', 'https:'].includes(new URL(value).protocol);
      } catch {
        return false;
      }
    }, 'must be a URL starting with http:// or https://')
    .optional(),
  AWS_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region like us-east-1').default('us-east-1'),
  /** Static credentials; both or neither (neither: the SDK's default credential chain). Never echoed. */
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** Wait for Route 53 changes to be INSYNC before a publish counts as done. */
  ROUTE53_WAIT_FOR_SYNC: bool(false),
};

/** Route 53 settings (present only when the provider is enabled). */
export interface Route53Config {
  /** Apex of the hosted zone (ROUTE53_HOSTED_ZONE_NAME, else DNS_ZONE). */
  hostedZoneName: string;
  hostedZoneId?: string;
  endpoint?: string;
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  waitForSync: boolean;
}

/** Validated DNS settings. */
export interface DnsConfig {
  zone: string;
  ttl: number;
  ownerId: string;
  host: string;
  port: number;
  providers: DnsProviderName[];
  maxDeleteShare: number;
  resyncSeconds: number;
  route53?: Route53Config;
}

/** Conditional validation: Route 53 settings are required only when the provider is enabled. */
export function dnsConfigProblems(e: EnvConfig): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (!e.DNS_PROVIDERS.includes(DnsProviderName.Route53)) return problems;
  if (!e.ROUTE53_HOSTED_ZONE_ID && !e.ROUTE53_HOSTED_ZONE_NAME) {
    problems.push({ variable: 'ROUTE53_HOSTED_ZONE_ID', message: 'or ROUTE53_HOSTED_ZONE_NAME is required when DNS_PROVIDERS includes route53' });
  }
  if (e.ROUTE53_HOSTED_ZONE_NAME && !isInZone(e.DNS_ZONE, e.ROUTE53_HOSTED_ZONE_NAME)) {
    problems.push({ variable: 'ROUTE53_HOSTED_ZONE_NAME', message: `must be DNS_ZONE (${e.DNS_ZONE}) or a parent of it` });
  }
  if (!e.AWS_ACCESS_KEY_ID !== !e.AWS_SECRET_ACCESS_KEY) {
    problems.push({ variable: 'AWS_SECRET_ACCESS_KEY', message: 'set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or neither (SDK default credentials)' });
  }
  return problems;
}

export function dnsConfig(e: EnvConfig): DnsConfig {
  const route53 = e.DNS_PROVIDERS.includes(DnsProviderName.Route53);
  return {
    zone: e.DNS_ZONE,
    ttl: e.DNS_TTL,
    ownerId: e.DNS_OWNER_ID ?? e.FEDERATION_NAME,
    host: e.DNS_HOST,
    port: e.DNS_PORT,
    providers: e.DNS_PROVIDERS,
    maxDeleteShare: e.DNS_MAX_DELETE_SHARE,
    resyncSeconds: e.DNS_RESYNC_SECONDS,
    ...(route53
      ? {
          route53: {
            hostedZoneName: e.ROUTE53_HOSTED_ZONE_NAME ?? e.DNS_ZONE,
            hostedZoneId: e.ROUTE53_HOSTED_ZONE_ID,
            endpoint: e.ROUTE53_ENDPOINT,
            region: e.AWS_REGION,
            credentials: e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY } : undefined,
            waitForSync: e.ROUTE53_WAIT_FOR_SYNC,
          },
        }
      : {}),
  };
}
