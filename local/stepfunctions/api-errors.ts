// Errors of the Step Functions API are the SDK's own exception classes, so an
// in-process caller and an SFNClient talking to the HTTP endpoint see the same
// class (`instanceof ExecutionAlreadyExists`) and the same `name`, which the
// endpoint sends back as `__type`.
import type { SFNServiceException } from '@aws-sdk/client-sfn';

export type ApiErrorClass<E extends SFNServiceException> = new (options: { message: string; $metadata: object }) => E;

export function apiError<E extends SFNServiceException>(ErrorClass: ApiErrorClass<E>, message: string): E {
  return new ErrorClass({ message, $metadata: {} });
}
