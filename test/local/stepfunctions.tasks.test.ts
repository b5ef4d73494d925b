// Task states on the local Step Functions runtime: what the handler receives
// and what the state gets back, and how Retry and Catch treat handler errors.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createStepFunctionsRuntime, type JsonValue, type StepFunctionsRuntime, type TaskHandler } from '../../local/stepfunctions/index.ts';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:step';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/asl/${name}.asl.json`, import.meta.url), 'utf8');

function namedError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

let runtime: StepFunctionsRuntime | undefined;
afterEach(async () => {
  await runtime?.shutdown();
  runtime = undefined;
});

async function run(definition: string, taskHandler: TaskHandler, input: JsonValue, timeScale = 0.001) {
  runtime = createStepFunctionsRuntime({ taskHandler, timeScale });
  const { stateMachineArn } = runtime.createStateMachine({ name: 'deploy', definition, definitionSubstitutions: { StepFunctionArn: FUNCTION_ARN } });
  const { executionArn } = runtime.startExecution({ stateMachineArn: stateMachineArn!, name: 'run-1', input: JSON.stringify(input) });
  const result = await runtime.waitForExecution(executionArn!);
  return { ...result, executionArn: executionArn!, runtime };
}

describe('a Task state mapped to the local handler', () => {
  it('passes a Lambda function resource its Parameters and uses its return value as the result', async () => {
    // Prepare
    const calls: { stateName: string; resource: string; input: JsonValue; functionName?: string }[] = [];
    const handler: TaskHandler = (stateName, resource, input, context) => {
      calls.push({ stateName, resource, input, ...(context.functionName ? { functionName: context.functionName } : {}) });
      return stateName === 'Prepare' ? { release: 7 } : { sent: true };
    };

    // Act
    const result = await run(fixture('tasks'), handler, { service: 'shop' });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(calls[0]).toEqual({
      stateName: 'Prepare',
      resource: FUNCTION_ARN,
      input: { step: 'prepare', state: { service: 'shop' }, execution: result.executionArn },
      functionName: FUNCTION_ARN,
    });
    expect(JSON.parse(result.output!)).toMatchObject({ service: 'shop', prepared: { release: 7 } });
  });

  it('passes lambda:invoke the Payload and wraps the return value in the Invoke answer, as AWS does', async () => {
    // Prepare
    const inputs: JsonValue[] = [];
    const handler: TaskHandler = (stateName, _resource, input) => {
      if (stateName === 'Notify') inputs.push(input);
      return stateName === 'Notify' ? { sent: true } : {};
    };

    // Act
    const result = await run(fixture('tasks'), handler, { service: 'shop' });

    // Assess
    expect(inputs).toEqual([{ step: 'notify', service: 'shop' }]);
    expect(JSON.parse(result.output!)).toMatchObject({ notified: { answer: { sent: true }, status: 200 } });
  });

  it('hands the handler a copy and passes its answer through JSON, as Lambda does', async () => {
    // Prepare
    const handler: TaskHandler = (stateName, _resource, input) => {
      if (stateName !== 'Prepare') return null;
      (input as { state: { service: string } }).state.service = 'changed by the handler';
      return { at: new Date(0), dropped: undefined };
    };

    // Act
    const result = await run(fixture('tasks'), handler, { service: 'shop' });

    // Assess
    expect(JSON.parse(result.output!)).toEqual({
      service: 'shop',
      prepared: { at: '1970-01-01T00:00:00.000Z' },
      notified: { answer: null, status: 200 },
    });
  });
});

describe('Retry and Catch on handler errors', () => {
  it('retries an error matched by its name, then goes on with the result', async () => {
    // Prepare
    let attempts = 0;
    const handler: TaskHandler = (stateName) => {
      if (stateName === 'ShiftTraffic' && ++attempts < 3) throw namedError('Throttled', 'Rate exceeded');
      return { shifted: true };
    };

    // Act
    const result = await run(fixture('retry-catch'), handler, {});

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(attempts).toBe(3);
  });

  it('catches an error no retrier matches and routes to the compensation state with { Error, Cause }', async () => {
    // Prepare
    const compensated: JsonValue[] = [];
    const handler: TaskHandler = (stateName, _resource, input) => {
      if (stateName === 'ShiftTraffic') throw namedError('DriftDetected', 'the listener was changed by hand');
      compensated.push(input);
      return { undone: true };
    };

    // Act
    const result = await run(fixture('retry-catch'), handler, { service: 'shop' });

    // Assess
    const error = (compensated[0] as { error: { Error: string; Cause: string } }).error;
    expect(error.Error).toBe('DriftDetected');
    expect(JSON.parse(error.Cause)).toMatchObject({ errorType: 'DriftDetected', errorMessage: 'the listener was changed by hand' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('DriftDetected');
  });

  it('gives up after MaxAttempts and then catches', async () => {
    // Prepare
    let attempts = 0;
    const handler: TaskHandler = (stateName) => {
      if (stateName !== 'ShiftTraffic') return {};
      attempts += 1;
      throw namedError('Throttled', 'Rate exceeded');
    };

    // Act
    const result = await run(fixture('retry-catch'), handler, {});

    // Assess
    expect(attempts).toBe(1 + 4);
    expect(result.error).toBe('Throttled');
  });

  it('waits IntervalSeconds × BackoffRate^n, capped by MaxDelaySeconds, scaled', async () => {
    // Prepare: 2 s, 6 s, then 10 s twice (18 and 54 capped); a workflow second lasts 50 ms.
    const times: number[] = [];
    const handler: TaskHandler = (stateName) => {
      if (stateName !== 'ShiftTraffic') return {};
      times.push(performance.now());
      if (times.length <= 4) throw namedError('Throttled', 'Rate exceeded');
      return {};
    };

    // Act
    await run(fixture('retry-catch'), handler, {}, 0.05);

    // Assess
    const pauses = times.slice(1).map((t, i) => t - times[i]!);
    const expected = [100, 300, 500, 500];
    pauses.forEach((pause, i) => {
      expect(pause).toBeGreaterThanOrEqual(expected[i]! - 2);
      expect(pause).toBeLessThan(expected[i]! + 150);
    });
  });

  it('with JitterStrategy FULL waits a random time no longer than the interval', async () => {
    // Prepare: six retries of a 4 s interval, 50 ms per workflow second: each pause in [0, 200] ms.
    const times: number[] = [];
    const handler: TaskHandler = (stateName) => {
      if (stateName !== 'ShiftTraffic') return {};
      times.push(performance.now());
      if (times.length <= 6) throw namedError('TransientAwsError', 'socket hang up');
      return {};
    };

    // Act
    await run(fixture('retry-catch'), handler, {}, 0.05);

    // Assess: never longer than the interval; six unjittered pauses would add up to 1200 ms.
    const pauses = times.slice(1).map((t, i) => t - times[i]!);
    expect(pauses).toHaveLength(6);
    for (const pause of pauses) expect(pause).toBeLessThan(200 + 150);
    expect(pauses.reduce((a, b) => a + b, 0)).toBeLessThan(1150);
  });
});

describe('task timeouts', () => {
  it('fails a task running past TimeoutSeconds with States.Timeout, retried and caught as such, and aborts its signal', async () => {
    // Prepare: 30 workflow seconds last 30 ms; the handler never answers.
    const signals: AbortSignal[] = [];
    const handler: TaskHandler = (_stateName, _resource, _input, context) => {
      signals.push(context.signal);
      return new Promise<never>(() => {});
    };

    // Act
    const result = await run(fixture('slow-task'), handler, {});

    // Assess: one retry, then the States.Timeout catcher (not States.TaskFailed).
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output!)).toMatchObject({ error: { Error: 'States.Timeout' } });
    expect(signals).toHaveLength(2);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });
});

describe('nested states', () => {
  it('maps Task states inside Parallel branches and Map processors, and waits until TimestampPath (scaled)', async () => {
    // Prepare: the retirement is 100 workflow seconds away: 100 ms.
    const calls: string[] = [];
    const handler: TaskHandler = (stateName, _resource, input) => {
      calls.push(stateName === 'PutAlarm' ? `PutAlarm:${input as string}` : stateName);
      return stateName;
    };
    const retireAt = new Date(Date.now() + 100_000).toISOString();

    // Act
    const started = performance.now();
    const result = await run(fixture('fan-out'), handler, { alarms: ['5xx', 'p99'], retireAt });
    const elapsed = performance.now() - started;

    // Assess
    expect(calls.sort()).toEqual(['PutAlarm:5xx', 'PutAlarm:p99', 'ReadListener']);
    expect(JSON.parse(result.output!)).toMatchObject({ fan: ['ReadListener', ['PutAlarm', 'PutAlarm']] });
    expect(elapsed).toBeGreaterThanOrEqual(95);
    expect(elapsed).toBeLessThan(1000);
  });
});

describe('state transitions', () => {
  it('counts each state entered and each retry, as AWS bills them', async () => {
    // Prepare: ShiftTraffic fails twice then succeeds; Done follows.
    let attempts = 0;
    const handler: TaskHandler = () => {
      if (++attempts < 3) throw namedError('Throttled', 'Rate exceeded');
      return {};
    };

    // Act
    const { executionArn, runtime: rt } = await run(fixture('retry-catch'), handler, {});

    // Assess: ShiftTraffic, 2 retries, Done.
    expect(rt.countStateTransitions(executionArn)).toBe(4);
  });
});
