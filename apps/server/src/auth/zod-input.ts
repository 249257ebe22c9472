import { z } from 'zod';
import { DomainError } from '#libs/common';
import { parseDurationSeconds } from '#libs/auth';

/**
 * Validates request input with a zod schema; problems become one Invalid DomainError (422) naming each
 * field. Messages quote zod's description, never the offending value (it might be a secret).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what = 'request body'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw DomainError.invalid(
    parsed.error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message })),
    `invalid ${what}`,
  );
}

/**
 * A `since` query parameter: an ISO timestamp or a lookback such as `1h` / `10m`, parsed to a Date.
 * Shared by the list routes that page back in time (audit trail, events).
 */
export function sinceParam(example: string) {
  return z
    .string()
    .max(64)
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return undefined;
      const seconds = parseDurationSeconds(v);
      if (seconds !== undefined) return new Date(Date.now() - seconds * 1000);
      const at = new Date(v);
      if (Number.isNaN(at.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
        ctx.addIssue({ code: 'custom', message: `must be an ISO timestamp (2026-01-02T15:04:05Z) or a duration like ${example}` });
        return z.NEVER;
      }
      return at;
    });
}
