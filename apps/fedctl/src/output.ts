import { DomainError, ErrorCode, isDomainError } from '#libs/common';

/** Exit codes: 1 generic failure, 2 usage/invalid input, 3 not found, 4 conflict, 5 unreachable. */
export function exitCodeFor(error: unknown): number {
  if (!isDomainError(error)) return 1;
  switch (error.code) {
    case ErrorCode.Invalid:
    case ErrorCode.TooLarge:
      return 2;
    case ErrorCode.NotFound:
      return 3;
    case ErrorCode.AlreadyExists:
    case ErrorCode.Conflict:
      return 4;
    case ErrorCode.Unavailable:
      return 5;
    default:
      return 1;
  }
}

export function printError(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  // Invalid errors name their one field in the message already; others (a 409's stale resourceVersion) do not.
  if (error instanceof DomainError && (error.details.length > 1 || (error.details.length === 1 && !message.includes(error.details[0].message)))) {
    for (const d of error.details) process.stderr.write(`  ${d.path}: ${d.message}\n`);
  }
}
