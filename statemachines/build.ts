// Builds statemachines/deploy.asl.json, the deployment workflow. The JSON is
// committed (serverless.yml and the local runtime load it unchanged); this
// file exists so the Retry and Catch policies are written once, not pasted
// into every state. `node statemachines/build.ts` rewrites the JSON; a test
// fails when the two disagree.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const STEP_FUNCTION = '${StepFunctionArn}';

/** Throttling, transient AWS faults, a read-back that lagged, Lambda's own hiccups: retried with capped, jittered backoff. */
const RETRY = [
  {
    ErrorEquals: ['Throttled', 'TransientAwsError', 'VerificationFailed'],
    IntervalSeconds: 1,
    MaxAttempts: 6,
    BackoffRate: 2,
    MaxDelaySeconds: 20,
    JitterStrategy: 'FULL',
  },
  // DeleteTargetGroup can answer ResourceInUse for a while after the last rule
  // stopped referencing the group: retried for about two minutes in all
  // (5 + 7.5 + 11.25 + 16.9 + 25.3 + 30 + 30 s), then the workflow gives up.
  {
    ErrorEquals: ['TargetGroupInUse'],
    IntervalSeconds: 5,
    MaxAttempts: 7,
    BackoffRate: 1.5,
    MaxDelaySeconds: 30,
  },
  // Step Functions developer guide, "Handle Lambda service exceptions": the
  // service exceptions are transient 500s, and a function timeout (or running
  // out of memory) is reported as Lambda.Unknown. Every step is safe to run again.
  {
    ErrorEquals: [
      'Lambda.ClientExecutionTimeoutException',
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'Lambda.Unknown',
    ],
    IntervalSeconds: 1,
    MaxAttempts: 4,
    BackoffRate: 2,
    JitterStrategy: 'FULL',
  },
];

/** Any failure puts traffic back on the last good release and removes what this deployment created, except drift: a listener changed by hand is never overwritten. */
const CATCH = [
  { ErrorEquals: ['DriftDetected'], ResultPath: '$.error', Next: 'RecordFailure' },
  { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Compensate' },
];

/**
 * "Edit a listener rule for your Application Load Balancer": rule updates do
 * not take effect immediately, and requests can be routed by the previous
 * rules for a short time. AWS gives no figure; the local cloud models 5 s and
 * the workflow waits three times that before it takes capacity from a
 * release a listener write took traffic from.
 */
export const PROPAGATION_SECONDS = 15;

/**
 * The smoke test meets the previous rules while the header rule propagates:
 * SmokeTestFailed is retried for about 40 s (5 + 7.5 + 11.25 + 16.9 s).
 */
const SMOKE_TEST_RETRY = { ErrorEquals: ['SmokeTestFailed'], IntervalSeconds: 5, MaxAttempts: 4, BackoffRate: 1.5 };

/**
 * The probe function of `smokeTest.from: 'vpc'` cannot be invoked while Lambda
 * creates its network interfaces ("about a minute", Lambda developer guide,
 * VPC configuration), which it does again for a function unused for weeks:
 * ProbeNotReady is retried for two and a half minutes (10 × 15 s).
 */
const PROBE_NOT_READY_RETRY = { ErrorEquals: ['ProbeNotReady'], IntervalSeconds: 15, MaxAttempts: 10, BackoffRate: 1 };

/** A failure while compensating is recorded with the one that started it; compensation never loops. */
const COMPENSATION_CATCH = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.compensationError', Next: 'RecordFailure' }];

type State = Record<string, unknown>;

/** One call of the step Lambda: `{ step, state, execution }` in, the next workflow state out. */
function step(name: string, next: string | null, options: { catch?: object[]; retry?: object[] } = {}): State {
  return {
    Type: 'Task',
    Resource: STEP_FUNCTION,
    Parameters: { step: name, 'state.$': '$', 'execution.$': '$$.Execution.Id' },
    // The step returns the whole next state (the default ResultPath, `$`).
    Retry: [...(options.retry ?? []), ...RETRY],
    Catch: options.catch ?? CATCH,
    ...(next ? { Next: next } : { End: true }),
  };
}

/**
 * After every step that wrote the listener, wait out the propagation before
 * anything else: a hold or a bake then starts on traffic that has really
 * moved, a finished deployment is one that serves, and requests the load
 * balancer still routes by the previous rules find the release they were
 * routed to serving. Then, when the write took traffic from a release that is
 * now to be scaled in or deleted (`$.retain`, `$.remove`), `cleanup` does it.
 */
function settle(prefix: string, next: string, options: { catch?: object[] } = {}): Record<string, State> {
  return {
    [`${prefix}Propagates`]: { Type: 'Wait', Seconds: PROPAGATION_SECONDS, Next: `${prefix}Settles` },
    [`${prefix}Settles`]: {
      Type: 'Choice',
      Choices: [{ Or: [{ Variable: '$.retain[0]', IsPresent: true }, { Variable: '$.remove[0]', IsPresent: true }], Next: `${prefix}Cleanup` }],
      Default: next,
    },
    [`${prefix}Cleanup`]: step('cleanup', next, options),
  };
}

/**
 * Advance and Promote read the release's alarms before they write: with one in
 * ALARM they write nothing and return its rollback as `$.signal` (a step that
 * moved traffic returns no signal), and the workflow rolls back at once.
 */
function forward(name: string, stepName: string): Record<string, State> {
  return {
    [name]: step(stepName, `Is${name}Refused`),
    [`Is${name}Refused`]: {
      Type: 'Choice',
      Choices: [{ Variable: '$.signal', IsPresent: true, Next: 'RollBack' }],
      Default: `${name}Propagates`,
    },
    ...settle(name, 'IsHolding'),
  };
}

export function buildDefinition(): object {
  const states: Record<string, State> = {
    Prepare: step('prepare', 'CreateTargetGroup'),
    CreateTargetGroup: step('createTargetGroup', 'CreateFleet'),
    CreateFleet: step('createFleet', 'AttachCandidate'),
    AttachCandidate: step('attachCandidate', 'WaitForHealthy'),
    WaitForHealthy: { Type: 'Wait', SecondsPath: '$.pollSeconds', Next: 'CheckHealth' },
    CheckHealth: step('checkHealth', 'IsHealthy'),
    IsHealthy: {
      Type: 'Choice',
      Choices: [{ Variable: '$.health.ready', BooleanEquals: true, Next: 'ArmAlarms' }],
      Default: 'WaitForHealthy',
    },
    ArmAlarms: step('armAlarms', 'ShiftTraffic'),
    ShiftTraffic: step('shiftTraffic', 'ShiftPropagates'),
    ...settle('Shift', 'SmokeTest'),
    SmokeTest: step('smokeTest', 'IsHolding', { retry: [SMOKE_TEST_RETRY, PROBE_NOT_READY_RETRY] }),
    IsHolding: {
      Type: 'Choice',
      Choices: [{ Variable: '$.hold.kind', StringEquals: 'none', Next: 'Finish' }],
      Default: 'Hold',
    },
    Hold: {
      Type: 'Task',
      Comment: 'Waits for promote / rollback / abort (Slack, CLI, alarm) or for the hold to elapse.',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: {
        FunctionName: STEP_FUNCTION,
        Payload: { step: 'hold', 'state.$': '$', 'execution.$': '$$.Execution.Id', 'token.$': '$$.Task.Token' },
      },
      TimeoutSecondsPath: '$.hold.seconds',
      ResultPath: '$.signal',
      Retry: RETRY,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'HoldElapsed' }, ...CATCH],
      Next: 'OnSignal',
    },
    OnSignal: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.signal.action', StringEquals: 'promote', Next: 'Promote' },
        { Variable: '$.signal.action', StringEquals: 'rollback', Next: 'RollBack' },
        { Variable: '$.signal.action', StringEquals: 'abort', Next: 'RollBack' },
      ],
      Default: 'Hold',
    },
    HoldElapsed: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.hold.onTimeout', StringEquals: 'promote', Next: 'Promote' },
        { Variable: '$.hold.onTimeout', StringEquals: 'advance', Next: 'Advance' },
        { Variable: '$.hold.onTimeout', StringEquals: 'rollback', Next: 'RollBack' },
      ],
      Default: 'Retire',
    },
    ...forward('Promote', 'promote'),
    ...forward('Advance', 'advance'),
    RollBack: step('rollBack', 'IsRolledBack'),
    IsRolledBack: {
      Type: 'Choice',
      Choices: [{ Variable: '$.rolledBack', BooleanEquals: true, Next: 'RollBackPropagates' }],
      Default: 'WaitForRestore',
    },
    WaitForRestore: { Type: 'Wait', SecondsPath: '$.pollSeconds', Next: 'RollBack' },
    ...settle('RollBack', 'Finish'),
    Retire: step('retire', 'RetirePropagates'),
    ...settle('Retire', 'Finish'),
    Finish: step('finish', 'Outcome'),
    Outcome: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.outcome', StringEquals: 'rolled-back', Next: 'RolledBack' },
        { Variable: '$.outcome', StringEquals: 'aborted', Next: 'DeploymentAborted' },
      ],
      Default: 'Done',
    },
    Done: { Type: 'Succeed' },
    RolledBack: { Type: 'Fail', Error: 'RolledBack', Cause: 'traffic is back on the last good release' },
    DeploymentAborted: { Type: 'Fail', Error: 'Aborted', Cause: 'an operator aborted the deployment; traffic is on the last good release' },
    Compensate: step('compensate', 'CompensatePropagates', { catch: COMPENSATION_CATCH }),
    ...settle('Compensate', 'RecordFailure', { catch: COMPENSATION_CATCH }),
    RecordFailure: step('recordFailure', 'DeploymentFailed', { catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'DeploymentFailed' }] }),
    DeploymentFailed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' },
  };
  return {
    Comment: 'bluegreen: bring up release n+1 beside release n, move traffic by strategy, bake, promote or roll back, retire.',
    StartAt: 'Prepare',
    States: states,
  };
}

export const DEFINITION_PATH = fileURLToPath(new URL('./deploy.asl.json', import.meta.url));

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DEFINITION_PATH, `${JSON.stringify(buildDefinition(), null, 2)}\n`);
  console.log(`wrote ${DEFINITION_PATH}`);
}
