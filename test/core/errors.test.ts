// Error names are matched by the workflow's Catch/Retry, the CLI's exit codes
// and the HTTP answers: each class carries its own name, and only transient
// faults say a retry may succeed.
import { describe, expect, it } from 'vitest';
import * as errors from '../../functions/core/errors.ts';

const RETRYABLE = ['VerificationFailed', 'Throttled', 'TransientAwsError', 'SlackRequestFailed', 'GitHubRequestFailed', 'ProbeNotReady'];

describe('named errors', () => {
  const classes = Object.entries(errors).filter(([name]) => name !== 'BlueGreenError') as Array<[string, typeof errors.BlueGreenError]>;

  it.each(classes)('%s carries its own name, its message and its cause', (name, ErrorClass) => {
    const cause = new Error('root');
    const error = new ErrorClass('what happened', { cause });
    expect(error).toBeInstanceOf(errors.BlueGreenError);
    expect(error).toBeInstanceOf(Error);
    expect({ name: error.name, message: error.message, cause: error.cause }).toEqual({ name, message: 'what happened', cause });
  });

  it.each(classes)('%s says whether a retry may succeed', (name, ErrorClass) => {
    expect(new ErrorClass('x').retryable).toBe(RETRYABLE.includes(name));
  });

  it('keeps every released name (new ones may be added, none renamed)', () => {
    expect(classes.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'AccessDenied', 'Aborted', 'AwsRequestFailed', 'BadRequest', 'ConcurrentUpdate', 'ConfigInvalid', 'DeploymentInProgress', 'DriftDetected', 'Forbidden',
        'GitHubRequestFailed', 'HealthDeadlineExceeded', 'LockHeld', 'NotFound', 'NothingToAbort', 'NothingToAdvance', 'NothingToPromote', 'NothingToRollBack',
        'NothingToShift', 'PayloadTooLarge', 'QuotaExceeded', 'ResourceInUse', 'ResourceNotFound', 'SlackRequestFailed', 'SmokeTestFailed', 'TaskTokenRejected',
        'Throttled', 'TransientAwsError', 'Unauthorized', 'UnexpectedListener', 'UnknownService', 'VerificationFailed', 'VersionAlreadyLive',
      ]),
    );
  });
});
