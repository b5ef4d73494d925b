// Turns whatever an AWS SDK call throws into one of the named errors of the
// core, so Step Functions `Retry`/`Catch`, the CLI and the HTTP handlers never
// see an SDK type. The original AWS error code stays in the message and the
// original error in `cause`.
import {
  AccessDenied,
  AwsRequestFailed,
  BlueGreenError,
  ResourceInUse,
  ResourceNotFound,
  Throttled,
  TransientAwsError,
} from '../core/errors.ts';

const THROTTLING_CODES = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'TooManyRequests',
  'RequestLimitExceeded',
  'SlowDown',
  'ProvisionedThroughputExceeded',
  'ProvisionedThroughputExceededException',
]);

const ACCESS_DENIED_CODES = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

const TRANSIENT_CODES = new Set([
  'InternalFailure',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
]);

/** What an SDK (or socket) error looks like, as far as the mapping needs it. */
interface AwsErrorShape {
  name?: unknown;
  Code?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
}

/**
 * The AWS error code: `Code` from the wire (`ListenerNotFound`), a socket error
 * code (`ECONNRESET`), else the error name (`ThrottlingException`).
 */
export function awsErrorCode(error: unknown): string {
  const shape = asShape(error);
  for (const candidate of [shape.Code, shape.code, shape.name]) {
    if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
  }
  return 'UnknownError';
}

/**
 * Maps an error thrown by one AWS call. `operation` is the IAM action of the
 * call, `service:Operation` (`elasticloadbalancing:ModifyListener`), so an
 * access error names the permission to grant.
 */
export function mapAwsError(error: unknown, operation: string): BlueGreenError {
  if (error instanceof BlueGreenError) return error;
  const code = awsErrorCode(error);
  const message = awsMessage(error);
  const detail = `${operation} failed: ${code}: ${message}`;
  if (isThrottling(code, error)) return new Throttled(detail, { cause: error });
  if (isAccessDenied(code, message)) {
    return new AccessDenied(`missing permission ${missingPermission(operation, message)} (${code}: ${message})`, { cause: error });
  }
  if (isNotFound(code, message)) return new ResourceNotFound(detail, { cause: error });
  if (code.startsWith('ResourceInUse')) return new ResourceInUse(detail, { cause: error });
  if (isTransient(code, error)) return new TransientAwsError(detail, { cause: error });
  return new AwsRequestFailed(detail, { cause: error });
}

/** Runs one AWS call (or one paginated read) and maps whatever it throws. */
export async function call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapAwsError(error, operation);
  }
}

function isThrottling(code: string, error: unknown): boolean {
  const retryable = (error as { $retryable?: { throttling?: unknown } } | null)?.$retryable;
  // HTTP 429 is throttling whatever the code, as the SDK's own retry strategy reads it.
  return THROTTLING_CODES.has(code) || retryable?.throttling === true || asShape(error).$metadata?.httpStatusCode === 429;
}

function isAccessDenied(code: string, message: string): boolean {
  return ACCESS_DENIED_CODES.has(code) || /not authorized/i.test(message);
}

function isNotFound(code: string, message: string): boolean {
  // Auto Scaling answers `ValidationError: AutoScalingGroup name not found - …`.
  return /NotFound/i.test(code) || (code === 'ValidationError' && /not found|does not exist/i.test(message));
}

function isTransient(code: string, error: unknown): boolean {
  const shape = asShape(error);
  const status = shape.$metadata?.httpStatusCode;
  return TRANSIENT_CODES.has(code) || shape.$fault === 'server' || (typeof status === 'number' && status >= 500);
}

/** The action AWS says was refused (`… not authorized to perform: iam:PassRole …`), else the call's own. */
function missingPermission(operation: string, message: string): string {
  return /perform: ([a-z0-9-]+:[A-Za-z0-9*]+)/.exec(message)?.[1] ?? operation;
}

function awsMessage(error: unknown): string {
  const message = asShape(error).message;
  if (typeof message === 'string' && message !== '') return message;
  return typeof error === 'string' ? error : 'no message';
}

function asShape(error: unknown): AwsErrorShape {
  return typeof error === 'object' && error !== null ? error : {};
}
