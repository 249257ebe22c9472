import type { z } from 'zod';
import { DomainError } from '#libs/common';

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
