// The retry policy of the generated workflow: every Task state retries what
// AWS documents as transient for a Lambda invocation, as built by
// statemachines/build.ts and as committed in statemachines/deploy.asl.json.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDefinition, DEFINITION_PATH } from '../../statemachines/build.ts';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
}
interface AslState {
  Type: string;
  Retry?: Retrier[];
}
interface Asl {
  States: Record<string, AslState>;
}

const built = buildDefinition() as Asl;
const committed = JSON.parse(readFileSync(DEFINITION_PATH, 'utf8')) as Asl;
const tasks = (asl: Asl) => Object.entries(asl.States).filter(([, s]) => s.Type === 'Task');

/** The retrier Step Functions would pick for `error`: the first whose ErrorEquals names it (or States.ALL). */
function retrierFor(state: AslState, error: string): Retrier | undefined {
  return state.Retry?.find((r) => r.ErrorEquals.includes(error) || r.ErrorEquals.includes('States.ALL'));
}

describe('the workflow retries', () => {
  it('is committed as built: statemachines/deploy.asl.json is the output of build.ts', () => {
    expect(committed).toEqual(built);
  });

  // Step Functions developer guide, "Handle Lambda service exceptions": the
  // four service exceptions are transient 500s; "Unhandled errors in Lambda
  // are reported as Lambda.Unknown … These include out-of-memory errors and
  // function timeouts"; Lambda.TooManyRequestsException is Lambda's throttling.
  it.each([
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
    'Lambda.Unknown',
  ])('retries %s in every Task state, a bounded number of times', (error) => {
    expect(tasks(built).length).toBeGreaterThan(0);
    for (const [name, state] of tasks(built)) {
      const retrier = retrierFor(state, error);
      expect(retrier, `${name} retries ${error}`).toBeDefined();
      expect(retrier!.ErrorEquals, `${name}: not through States.ALL`).not.toContain('States.ALL');
      expect(retrier!.MaxAttempts, `${name}: ${error} attempts`).toBeGreaterThanOrEqual(2);
      expect(retrier!.MaxAttempts, `${name}: ${error} attempts`).toBeLessThanOrEqual(6);
    }
  });

  // ELBv2 API reference, "DeleteTargetGroup": ResourceInUse, "A specified
  // resource is in use", which it answers for a while after the last rule
  // referencing the group changed.
  it.each(['RollBackCleanup', 'RetireCleanup', 'CompensateCleanup', 'PromoteCleanup'])('retries TargetGroupInUse in %s for about two minutes in all', (name) => {
    const retrier = retrierFor(built.States[name]!, 'TargetGroupInUse');

    expect(retrier?.ErrorEquals).toEqual(['TargetGroupInUse']);
    const waited = totalWaitSeconds(retrier!);
    expect(waited).toBeGreaterThanOrEqual(100);
    expect(waited).toBeLessThanOrEqual(150);
  });

  // Lambda developer guide, VPC configuration: creating a function's network
  // interfaces "can take about a minute", and a VPC function unused for weeks
  // becomes Inactive and Pending again on its next invocation.
  it('retries ProbeNotReady (the probe function in the VPC not invocable yet) in SmokeTest for two to three minutes, and nowhere else', () => {
    const retrier = retrierFor(built.States.SmokeTest!, 'ProbeNotReady');

    expect(retrier?.ErrorEquals).toEqual(['ProbeNotReady']);
    const waited = totalWaitSeconds(retrier!);
    expect(waited).toBeGreaterThanOrEqual(120);
    expect(waited).toBeLessThanOrEqual(180);
    for (const [name, state] of tasks(built).filter(([name]) => name !== 'SmokeTest')) expect(retrierFor(state, 'ProbeNotReady'), name).toBeUndefined();
  });
});

/** Seconds a retrier waits over all its attempts, without jitter (Step Functions: interval × rate^n, capped by MaxDelaySeconds). */
function totalWaitSeconds(r: Retrier): number {
  let total = 0;
  for (let attempt = 0; attempt < (r.MaxAttempts ?? 3); attempt++) {
    total += Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** attempt, r.MaxDelaySeconds ?? Infinity);
  }
  return total;
}
