// Every SDK failure becomes one named error, whatever the service's wording:
// Step Functions retries on the name, operators act on the message.
import { AutoScalingServiceException } from '@aws-sdk/client-auto-scaling';
import { CloudWatchServiceException } from '@aws-sdk/client-cloudwatch';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2ServiceException } from '@aws-sdk/client-elastic-load-balancing-v2';
import { describe, expect, it } from 'vitest';
import { call, mapAwsError } from '../../functions/adapters/aws-errors.ts';
import {
  AccessDenied,
  AwsRequestFailed,
  type BlueGreenError,
  ResourceInUse,
  ResourceNotFound,
  Throttled,
  TransientAwsError,
} from '../../functions/core/errors.ts';

type ServiceError = ElasticLoadBalancingV2ServiceException;

function elbError(name: string, message: string, status = 400, code?: string): ServiceError {
  const error = new ElasticLoadBalancingV2ServiceException({
    name,
    message,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
  });
  return code ? Object.assign(error, { Code: code }) : error;
}

function ec2Error(name: string, message: string): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function autoScalingError(name: string, message: string): AutoScalingServiceException {
  return new AutoScalingServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function cloudWatchError(name: string, message: string, status = 400): CloudWatchServiceException {
  return new CloudWatchServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

function socketError(code: string): Error {
  return Object.assign(new Error(`socket hang up (${code})`), { code });
}

const cases: Array<{ title: string; error: unknown; expected: typeof BlueGreenError; code: string }> = [
  { title: 'ELBv2 Throttling', error: elbError('Throttling', 'Rate exceeded'), expected: Throttled, code: 'Throttling' },
  { title: 'ThrottlingException', error: cloudWatchError('ThrottlingException', 'Rate exceeded'), expected: Throttled, code: 'ThrottlingException' },
  { title: 'EC2 RequestLimitExceeded', error: ec2Error('RequestLimitExceeded', 'Request limit exceeded.'), expected: Throttled, code: 'RequestLimitExceeded' },
  { title: 'TooManyRequestsException', error: elbError('TooManyRequestsException', 'slow down'), expected: Throttled, code: 'TooManyRequestsException' },
  { title: 'SlowDown', error: elbError('SlowDown', 'Please reduce your request rate.'), expected: Throttled, code: 'SlowDown' },
  { title: 'Auto Scaling TooManyRequests', error: autoScalingError('TooManyRequests', 'Rate exceeded'), expected: Throttled, code: 'TooManyRequests' },
  { title: 'an unlisted code answered with HTTP 429', error: elbError('RequestThrottled', 'slow down', 429), expected: Throttled, code: 'RequestThrottled' },
  {
    title: 'ProvisionedThroughputExceededException',
    error: elbError('ProvisionedThroughputExceededException', 'throughput'),
    expected: Throttled,
    code: 'ProvisionedThroughputExceededException',
  },
  {
    title: 'an unlisted code the SDK marks as throttling',
    error: Object.assign(elbError('BandwidthLimitExceeded', 'limit'), { $retryable: { throttling: true } }),
    expected: Throttled,
    code: 'BandwidthLimitExceeded',
  },
  { title: 'AccessDenied', error: elbError('AccessDenied', 'User is not allowed', 403), expected: AccessDenied, code: 'AccessDenied' },
  { title: 'EC2 UnauthorizedOperation', error: ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'), expected: AccessDenied, code: 'UnauthorizedOperation' },
  { title: 'a wire code in `Code`', error: elbError('ListenerNotFoundException', 'The specified listener does not exist.', 400, 'ListenerNotFound'), expected: ResourceNotFound, code: 'ListenerNotFound' },
  { title: 'TargetGroupNotFoundException', error: elbError('TargetGroupNotFoundException', 'One or more target groups not found'), expected: ResourceNotFound, code: 'TargetGroupNotFoundException' },
  { title: 'EC2 *.NotFound', error: ec2Error('InvalidLaunchTemplateId.NotFound', 'does not exist'), expected: ResourceNotFound, code: 'InvalidLaunchTemplateId.NotFound' },
  { title: 'CloudWatch ResourceNotFound', error: cloudWatchError('ResourceNotFound', 'alarm does not exist', 404), expected: ResourceNotFound, code: 'ResourceNotFound' },
  {
    title: 'Auto Scaling ValidationError "not found"',
    error: autoScalingError('ValidationError', "AutoScalingGroup name not found - AutoScalingGroup 'bg-shop-3' not found"),
    expected: ResourceNotFound,
    code: 'ValidationError',
  },
  { title: 'another ValidationError', error: autoScalingError('ValidationError', 'Max bound, 1, must be greater than or equal to min bound, 2'), expected: AwsRequestFailed, code: 'ValidationError' },
  { title: 'ResourceInUse', error: elbError('ResourceInUseException', 'currently in use by a listener or a rule', 400, 'ResourceInUse'), expected: ResourceInUse, code: 'ResourceInUse' },
  { title: 'Auto Scaling ResourceInUseFault', error: autoScalingError('ResourceInUseFault', 'in use'), expected: ResourceInUse, code: 'ResourceInUseFault' },
  { title: 'a 500', error: elbError('InternalFailure', 'internal failure', 500), expected: TransientAwsError, code: 'InternalFailure' },
  { title: 'a 503 with an unknown code', error: cloudWatchError('Unavailable', 'try later', 503), expected: TransientAwsError, code: 'Unavailable' },
  { title: 'a reset socket', error: socketError('ECONNRESET'), expected: TransientAwsError, code: 'ECONNRESET' },
  { title: 'a socket timeout', error: socketError('ETIMEDOUT'), expected: TransientAwsError, code: 'ETIMEDOUT' },
  { title: 'an SDK TimeoutError', error: Object.assign(new Error('Connection timed out after 1000 ms'), { name: 'TimeoutError' }), expected: TransientAwsError, code: 'TimeoutError' },
  { title: 'any other client error', error: elbError('InvalidConfigurationRequest', 'bad request'), expected: AwsRequestFailed, code: 'InvalidConfigurationRequest' },
  { title: 'something that is not an Error', error: 'boom', expected: AwsRequestFailed, code: 'UnknownError' },
];

describe('mapAwsError', () => {
  it.each(cases)('maps $title to $expected.name, keeping the code and the cause', ({ error, expected, code }) => {
    // Act
    const mapped = mapAwsError(error, 'elasticloadbalancing:ModifyListener');

    // Assess
    expect(mapped).toBeInstanceOf(expected);
    expect(mapped.name).toBe(expected.name);
    expect(mapped.message).toContain(code);
    expect(mapped.cause).toBe(error);
  });

  it.each([
    { name: 'Throttled', error: elbError('Throttling', 'Rate exceeded'), retryable: true },
    { name: 'TransientAwsError', error: socketError('ECONNRESET'), retryable: true },
    { name: 'AccessDenied', error: elbError('AccessDenied', 'denied', 403), retryable: false },
    { name: 'ResourceNotFound', error: elbError('RuleNotFoundException', 'gone'), retryable: false },
  ])('marks $name retryable: $retryable', ({ error, retryable }) => {
    expect(mapAwsError(error, 'elasticloadbalancing:DescribeRules').retryable).toBe(retryable);
  });

  it('names the missing permission as the IAM action of the call', () => {
    // Act
    const mapped = mapAwsError(elbError('AccessDenied', 'User is not allowed', 403), 'elasticloadbalancing:ModifyListener');

    // Assess
    expect(mapped).toBeInstanceOf(AccessDenied);
    expect(mapped.message).toMatch(/^missing permission elasticloadbalancing:ModifyListener /);
  });

  it('names the action AWS reports as refused when it is another one', () => {
    // Prepare: creating an Auto Scaling group also needs iam:PassRole for the instance profile
    const error = autoScalingError(
      'ValidationError',
      'You are not authorized to use launch template: User: arn:aws:sts::123456789012:assumed-role/deployer is not authorized to perform: iam:PassRole on resource: arn:aws:iam::123456789012:role/app',
    );

    // Act
    const mapped = mapAwsError(error, 'autoscaling:CreateAutoScalingGroup');

    // Assess
    expect(mapped).toBeInstanceOf(AccessDenied);
    expect(mapped.message).toMatch(/^missing permission iam:PassRole /);
  });

  it('returns an error that is already named unchanged', () => {
    const named = new ResourceInUse('target group bg-shop-1 is in use');
    expect(mapAwsError(named, 'elasticloadbalancing:DeleteTargetGroup')).toBe(named);
  });
});

describe('call', () => {
  it('returns what the call returns', async () => {
    await expect(call('cloudwatch:DescribeAlarms', () => Promise.resolve(42))).resolves.toBe(42);
  });

  it('throws the mapped error, never the SDK one', async () => {
    // Act
    const failure = call('cloudwatch:PutMetricAlarm', () => Promise.reject(cloudWatchError('Throttling', 'Rate exceeded')));

    // Assess
    await expect(failure).rejects.toBeInstanceOf(Throttled);
    await expect(failure).rejects.not.toBeInstanceOf(CloudWatchServiceException);
    await expect(failure).rejects.toThrow('cloudwatch:PutMetricAlarm failed: Throttling: Rate exceeded');
  });
});
