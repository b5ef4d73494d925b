// Executions on the local Step Functions runtime through an SFNClient: start
// (name reuse as in AWS), describe, list, history, stop, time scale, timeouts.
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  InvalidArn,
  InvalidExecutionInput,
  InvalidName,
  ListExecutionsCommand,
  paginateListExecutions,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStepFunctionsRuntime,
  startStepFunctionsServer,
  type StepFunctionsRuntime,
  type StepFunctionsServer,
  type TaskHandler,
} from '../../local/stepfunctions/index.ts';
import { emulatorClientConfig } from '../support/servers.ts';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/asl/${name}.asl.json`, import.meta.url), 'utf8');

/** A fleet that reports healthy on the `readyAfter`-th check. */
function healthChecks(readyAfter: number): { handler: TaskHandler; checkTimes: number[] } {
  const checkTimes: number[] = [];
  const handler: TaskHandler = () => {
    checkTimes.push(performance.now());
    return { ready: checkTimes.length >= readyAfter };
  };
  return { handler, checkTimes };
}

let runtime: StepFunctionsRuntime;
let server: StepFunctionsServer;
let client: SFNClient;

async function setUp(taskHandler: TaskHandler, timeScale: number): Promise<string> {
  runtime = createStepFunctionsRuntime({ taskHandler, timeScale });
  server = await startStepFunctionsServer(runtime);
  client = new SFNClient(emulatorClientConfig(server.endpoint));
  const created = await client.send(new CreateStateMachineCommand({ name: 'poll', definition: fixture('poll'), roleArn: 'arn:aws:iam::123456789012:role/sfn' }));
  return created.stateMachineArn!;
}

afterEach(async () => {
  client.destroy();
  await runtime.shutdown();
  await server.close();
});

describe('a Wait + Choice polling loop', () => {
  let stateMachineArn: string;
  let checks: ReturnType<typeof healthChecks>;
  beforeEach(async () => {
    checks = healthChecks(3);
    stateMachineArn = await setUp(checks.handler, 0.01);
  });

  it('waits SecondsPath × timeScale between checks and ends when healthy', async () => {
    // Act: 10 workflow seconds between checks last 100 ms.
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"pollSeconds":10}' }));
    const result = await runtime.waitForExecution(executionArn!);

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const pauses = checks.checkTimes.slice(1).map((t, i) => t - checks.checkTimes[i]!);
    expect(pauses).toHaveLength(2);
    for (const pause of pauses) {
      expect(pause).toBeGreaterThanOrEqual(98);
      expect(pause).toBeLessThan(250);
    }
  });

  it('records state entered / exited events with names and timestamps, and counts the transitions', async () => {
    // Act
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"pollSeconds":1}' }));
    await runtime.waitForExecution(executionArn!);
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));

    // Assess
    const entered = events!.filter((e) => e.type!.endsWith('StateEntered')).map((e) => `${e.type}:${e.stateEnteredEventDetails!.name}`);
    expect(entered).toEqual([
      'TaskStateEntered:CheckHealth',
      'ChoiceStateEntered:IsHealthy',
      'WaitStateEntered:WaitForHealthy',
      'TaskStateEntered:CheckHealth',
      'ChoiceStateEntered:IsHealthy',
      'WaitStateEntered:WaitForHealthy',
      'TaskStateEntered:CheckHealth',
      'ChoiceStateEntered:IsHealthy',
      'SucceedStateEntered:Healthy',
    ]);
    expect(events![0]!.type).toBe('ExecutionStarted');
    expect(events!.at(-1)!.type).toBe('ExecutionSucceeded');
    expect(events!.map((e) => e.id)).toEqual(events!.map((_, i) => i + 1));
    expect(events!.every((e, i) => i === 0 || e.timestamp!.getTime() >= events![i - 1]!.timestamp!.getTime())).toBe(true);
    expect(events!.find((e) => e.type === 'WaitStateExited')?.stateExitedEventDetails).toMatchObject({ name: 'WaitForHealthy' });
    expect(runtime.countStateTransitions(executionArn!)).toBe(9);
  });
});

describe('execution names', () => {
  let stateMachineArn: string;
  beforeEach(async () => {
    stateMachineArn = await setUp(() => ({ ready: false }), 0.01);
  });

  it('answers the running execution again when started with the same name and input', async () => {
    // Prepare
    const first = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'push-abc', input: '{"pollSeconds":60}' }));

    // Act
    const again = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'push-abc', input: '{"pollSeconds":60}' }));

    // Assess
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    const { executions } = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions).toHaveLength(1);
  });

  it.each([
    ['another input while it runs', false, '{"pollSeconds":30}'],
    ['the same input once it is closed', true, '{"pollSeconds":60}'],
  ])('refuses the name with %s: ExecutionAlreadyExists', async (_case, closeFirst, secondInput) => {
    // Prepare
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'push-abc', input: '{"pollSeconds":60}' }));
    if (closeFirst) await client.send(new StopExecutionCommand({ executionArn }));

    // Act
    const again = client.send(new StartExecutionCommand({ stateMachineArn, name: 'push-abc', input: secondInput }));

    // Assess
    await expect(again).rejects.toBeInstanceOf(ExecutionAlreadyExists);
  });

  it('lists executions newest first, filtered by status, page by page', async () => {
    // Prepare
    for (const name of ['a', 'b', 'c']) {
      await client.send(new StartExecutionCommand({ stateMachineArn, name, input: '{"pollSeconds":60}' }));
      await new Promise((r) => setTimeout(r, 5));
    }
    await client.send(new StopExecutionCommand({ executionArn: `${stateMachineArn.replace(':stateMachine:', ':execution:')}:b` }));

    // Act
    const names: string[] = [];
    for await (const page of paginateListExecutions({ client, pageSize: 1 }, { stateMachineArn })) names.push(...page.executions!.map((e) => e.name!));
    const aborted = await client.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'ABORTED' }));

    // Assess
    expect(names).toEqual(['c', 'b', 'a']);
    expect(aborted.executions!.map((e) => e.name)).toEqual(['b']);
    expect(aborted.executions![0]!.stopDate).toBeInstanceOf(Date);
  });
});

describe('the machine-wide TimeoutSeconds', () => {
  it('ends an execution still running after it as TIMED_OUT', async () => {
    // Prepare: 3600 workflow seconds last 360 ms; the fleet never gets healthy.
    const stateMachineArn = await setUp(() => ({ ready: false }), 0.0001);

    // Act
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"pollSeconds":60}' }));
    const result = await runtime.waitForExecution(executionArn!);

    // Assess
    expect(result).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true, maxResults: 1 }));
    expect(events![0]!.type).toBe('ExecutionTimedOut');
  });
});

describe('shutdown', () => {
  it('stops every running execution', async () => {
    // Prepare
    const stateMachineArn = await setUp(() => ({ ready: false }), 0.01);
    const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{"pollSeconds":60}' }));

    // Act
    await runtime.shutdown();

    // Assess
    expect(runtime.describeExecution({ executionArn })).toMatchObject({ status: 'ABORTED', error: 'RuntimeShutdown' });
  });
});

describe('requests the API refuses', () => {
  let stateMachineArn: string;
  beforeEach(async () => {
    stateMachineArn = await setUp(() => ({ ready: true }), 0.01);
  });

  it.each([
    ['an execution name with a space', () => new StartExecutionCommand({ stateMachineArn, name: 'push abc' }), InvalidName],
    ['an input that is not JSON', () => new StartExecutionCommand({ stateMachineArn, input: '{pollSeconds' }), InvalidExecutionInput],
    ['an unknown execution', () => new DescribeExecutionCommand({ executionArn: `${stateMachineArn}:nope` }), ExecutionDoesNotExist],
    ['a malformed ARN', () => new DescribeExecutionCommand({ executionArn: 'nope' }), InvalidArn],
    ['a missing field', () => new DescribeExecutionCommand({} as never), ValidationException],
  ])('%s', async (_case, command, ErrorClass) => {
    // Act
    const sent = client.send(command() as StartExecutionCommand);

    // Assess
    await expect(sent).rejects.toBeInstanceOf(ErrorClass);
  });

  it('names the missing field', async () => {
    await expect(client.send(new DescribeExecutionCommand({} as never))).rejects.toThrow(/executionArn/);
  });

  it('describes the registered state machine with its definition', async () => {
    // Act
    const machine = await client.send(new DescribeStateMachineCommand({ stateMachineArn }));

    // Assess
    expect(machine).toMatchObject({ name: 'poll', status: 'ACTIVE', type: 'STANDARD', definition: fixture('poll'), roleArn: 'arn:aws:iam::123456789012:role/sfn' });
  });
});
