// Errors a state fails with, shaped the way aws-local-stepfunctions handles
// them: `Retry`/`Catch` compare `ErrorEquals` with `error.name`, a Catch puts
// `{ Error: error.name, Cause: error.message }` in the state output, and an
// `isRetryable`/`isCatchable` of false keeps an error out of `States.ALL`.
import { StateMachine } from 'aws-local-stepfunctions';

/** A state failed with this error name and cause. */
export class StateFailure extends Error {
  constructor(errorName: string, cause: string) {
    super(cause);
    this.name = errorName;
  }
}

/** `States.Runtime`: the definition asked for something impossible. Never retried nor caught, as in AWS. */
export class StatesRuntimeError extends StateFailure {
  readonly isRetryable = false;
  readonly isCatchable = false;
  constructor(cause: string) {
    super('States.Runtime', cause);
  }
}

type ErrorClass = new () => Error;

/**
 * `States.Timeout`. The library's `States.TaskFailed` wildcard leaves timeouts out by
 * `instanceof` its own timeout class, which it does not export; the class is taken from
 * a 1 ms timeout the library raises itself, so our timeouts are left out the same way.
 */
export const StatesTimeoutError: ErrorClass = await borrowTimeoutErrorClass();

/**
 * A Lambda function error as Step Functions reports it: the error name is the
 * `errorType`, the cause is Lambda's error payload as a JSON string.
 */
export function lambdaFunctionError(thrown: unknown): StateFailure {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  const payload = { errorType: error.name, errorMessage: error.message, trace: error.stack?.split('\n') ?? [] };
  return new StateFailure(error.name, JSON.stringify(payload));
}

/** An error thrown by a task handler of another integration: its name, its message as the cause. */
export function taskError(thrown: unknown): StateFailure {
  const error = thrown instanceof Error ? thrown : new Error(String(thrown));
  return new StateFailure(error.name, error.message);
}

async function borrowTimeoutErrorClass(): Promise<ErrorClass> {
  const probe = new StateMachine(
    {
      StartAt: 'Probe',
      States: { Probe: { Type: 'Task', Resource: 'arn:aws:lambda:us-east-1:123456789012:function:probe', TimeoutSeconds: 0.001, End: true } },
    },
    { validationOptions: { noValidate: true } },
  );
  const neverAnswers = () => new Promise<never>(() => {});
  const failure: unknown = await probe.run(null, { overrides: { taskResourceLocalHandlers: { Probe: neverAnswers } } }).result.catch((e: unknown) => e);
  const timeout = failure instanceof Error ? failure.cause : undefined;
  if (!(timeout instanceof Error) || timeout.name !== 'States.Timeout') {
    throw new Error('aws-local-stepfunctions no longer fails a timed-out task with States.Timeout: update local/stepfunctions/state-errors.ts');
  }
  return timeout.constructor as ErrorClass;
}
