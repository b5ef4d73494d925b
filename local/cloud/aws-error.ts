// An error answered to an API client in the service's own error shape: the
// code becomes `<Code>` (Query protocols) or the `x-amzn-query-error` header
// (CloudWatch), which the SDK turns into the exception of that name.

export class AwsError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 400) {
    super(message);
    this.name = 'AwsError';
    this.code = code;
    this.status = status;
  }

  /** AWS's fault side: `Sender` for 4xx, `Receiver` for 5xx. */
  get type(): 'Sender' | 'Receiver' {
    return this.status < 500 ? 'Sender' : 'Receiver';
  }
}

/** ELBv2 and Auto Scaling answer bad input with `ValidationError`. */
export function validationError(message: string): AwsError {
  return new AwsError('ValidationError', message);
}

/** The value, or the ValidationError AWS gives for a missing required member. */
export function required<T>(value: T | null | undefined, field: string): T {
  if (value === undefined || value === null || value === '') {
    throw validationError(`1 validation error detected: Value null at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function lowerFirst(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}
