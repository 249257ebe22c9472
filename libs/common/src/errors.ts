/**
 * Domain errors. Libs throw these; only the HTTP layer maps them to status codes and only the CLI maps
 * them to exit codes. `details` carries field-level problems as `{ path, message }`, where `path` is a
 * dotted/indexed field path such as `spec.replicaScheduling.clusters.a.weight`.
 */
export enum ErrorCode {
  Invalid = 'Invalid',
  NotFound = 'NotFound',
  AlreadyExists = 'AlreadyExists',
  Conflict = 'Conflict',
  Forbidden = 'Forbidden',
  Unauthorized = 'Unauthorized',
  TooLarge = 'TooLarge',
  RateLimited = 'RateLimited',
  Unavailable = 'Unavailable',
  Internal = 'Internal',
}

export interface FieldProblem {
  path: string;
  message: string;
}

export class DomainError extends Error {
  /** For {@link ErrorCode.RateLimited} and {@link ErrorCode.Unavailable}: when to try again (HTTP `Retry-After`). */
  retryAfterSeconds?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  /** Too much load right now: try again after `retryAfterSeconds`. */
  static rateLimited(message: string, retryAfterSeconds: number): DomainError {
    const error = new DomainError(ErrorCode.RateLimited, message);
    error.retryAfterSeconds = retryAfterSeconds;
    return error;
  }

  /** An input error naming the offending fields; message lists them for CLI and log readers. */
  static invalid(details: FieldProblem[], summary = 'invalid input'): DomainError {
    const text = details.map((d) => `${d.path}: ${d.message}`).join('; ');
    return new DomainError(ErrorCode.Invalid, text ? `${summary}: ${text}` : summary, details);
  }

  static notFound(what: string): DomainError {
    return new DomainError(ErrorCode.NotFound, `${what} not found`);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}

/** HTTP status of each error code: the API's mapping, which the CLI reverses. */
export const HTTP_STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.Invalid]: 422,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.AlreadyExists]: 409,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.TooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Internal]: 500,
};

/** The error code an HTTP status stands for (400 and 422 are both input errors). */
export function errorCodeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
    case 422:
      return ErrorCode.Invalid;
    case 401:
      return ErrorCode.Unauthorized;
    case 403:
      return ErrorCode.Forbidden;
    case 404:
      return ErrorCode.NotFound;
    case 409:
      return ErrorCode.Conflict;
    case 413:
      return ErrorCode.TooLarge;
    case 429:
      return ErrorCode.RateLimited;
    case 503:
      return ErrorCode.Unavailable;
    default:
      return status >= 500 ? ErrorCode.Internal : ErrorCode.Invalid;
  }
}
