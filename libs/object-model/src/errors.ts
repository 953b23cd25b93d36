/**
 * Typed errors shared by every service. Managers throw them; transports map them
 * to an HTTP status and an `{"err": message}` body; clients map a status back to
 * the same class, so a caller cannot tell a local manager from a remote one.
 */
export type ErrorCode =
  | 'validation'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'unavailable';

export const statusByCode: Record<ErrorCode, number> = {
  validation: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

export class DelinkciousError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  get status(): number {
    return statusByCode[this.code];
  }
}

export class ValidationError extends DelinkciousError {
  constructor(message: string, options?: ErrorOptions) {
    super('validation', message, options);
  }
}

export class UnauthenticatedError extends DelinkciousError {
  constructor(message = 'Access Denied!', options?: ErrorOptions) {
    super('unauthenticated', message, options);
  }
}

export class ForbiddenError extends DelinkciousError {
  constructor(message: string, options?: ErrorOptions) {
    super('forbidden', message, options);
  }
}

export class NotFoundError extends DelinkciousError {
  constructor(message: string, options?: ErrorOptions) {
    super('not_found', message, options);
  }
}

export class ConflictError extends DelinkciousError {
  constructor(message: string, options?: ErrorOptions) {
    super('conflict', message, options);
  }
}

export class PayloadTooLargeError extends DelinkciousError {
  constructor(message: string, options?: ErrorOptions) {
    super('payload_too_large', message, options);
  }
}

export class RateLimitedError extends DelinkciousError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super('rate_limited', message, options);
  }
}

export class UnavailableError extends DelinkciousError {
  constructor(message: string, options?: ErrorOptions) {
    super('unavailable', message, options);
  }
}

/**
 * Unavailable for now: a remote service did not answer, or answered that it is
 * overloaded or restarting. Clients retry these; callers see an UnavailableError.
 */
export class TransientError extends UnavailableError {}

const classByStatus: Record<number, new (message: string) => DelinkciousError> = {
  400: ValidationError,
  401: UnauthenticatedError,
  403: ForbiddenError,
  404: NotFoundError,
  409: ConflictError,
  413: PayloadTooLargeError,
  503: UnavailableError,
};

/** The typed error a remote service meant by answering `status` with `message`. */
export function errorFromStatus(status: number, message: string): DelinkciousError {
  if (status === 429) return new RateLimitedError(message, 1);
  const ErrorClass = classByStatus[status];
  if (ErrorClass) return new ErrorClass(message);
  return new UnavailableError(message || `upstream answered ${status}`);
}
