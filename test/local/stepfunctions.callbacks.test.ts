// `.waitForTaskToken` on the local Step Functions runtime, driven the way the
// project drives it: an SFNClient against the local endpoint.
import {
  DescribeExecutionCommand,
  InvalidOutput,
  InvalidToken,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createStepFunctionsRuntime,
  startStepFunctionsServer,
  type JsonValue,
  type StepFunctionsRuntime,
  type StepFunctionsServer,
  type TaskContext,
  type TaskHandler,
} from '../../local/stepfunctions/index.ts';
import { emulatorClientConfig } from '../support/servers.ts';

interface HandedToken {
  input: JsonValue;
  context: TaskContext;
}

let runtime: StepFunctionsRuntime;
let server: StepFunctionsServer;
let client: SFNClient;
let stateMachineArn: string;
/** What the current test's handler does; by default it hands the token over, like the hold step. */
let onTask: TaskHandler;
let handed: Promise<HandedToken>;

beforeEach(async () => {
  let hand: (value: HandedToken) => void = () => {};
  handed = new Promise((resolve) => (hand = resolve));
  onTask = (_stateName, _resource, input, context) => hand({ input, context });
  runtime = createStepFunctionsRuntime({ taskHandler: (...args) => onTask(...args), timeScale: 0.001 });
  server = await startStepFunctionsServer(runtime);
  client = new SFNClient(emulatorClientConfig(server.endpoint));
  const definition = readFileSync(new URL('../fixtures/asl/callback.asl.json', import.meta.url), 'utf8');
  stateMachineArn = runtime.createStateMachine({ name: 'hold', definition }).stateMachineArn!;
});

afterEach(async () => {
  client.destroy();
  await runtime.shutdown();
  await server.close();
});

async function startHold(holdSeconds: number): Promise<string> {
  const input = JSON.stringify({ service: 'shop', hold: { seconds: holdSeconds } });
  const { executionArn } = await client.send(new StartExecutionCommand({ stateMachineArn, name: 'deploy-1', input }));
  return executionArn!;
}

async function finished(executionArn: string) {
  await runtime.waitForExecution(executionArn);
  const described = await client.send(new DescribeExecutionCommand({ executionArn }));
  return { ...described, result: JSON.parse(described.output ?? 'null') as Record<string, unknown> | null };
}

describe('a task waiting for its token', () => {
  it('hands the handler the same token $$.Task.Token gave the Parameters', async () => {
    // Act
    await startHold(3600);
    const { input, context } = await handed;

    // Assess
    expect(context.taskToken).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(input).toEqual({ step: 'hold', state: { service: 'shop', hold: { seconds: 3600 } }, token: context.taskToken });
    expect(context.functionName).toBe('arn:aws:lambda:us-east-1:123456789012:function:step');
  });

  it('resumes with the SendTaskSuccess output as its result', async () => {
    // Prepare
    const executionArn = await startHold(3600);
    const { context } = await handed;

    // Act
    await client.send(new SendTaskSuccessCommand({ taskToken: context.taskToken, output: JSON.stringify({ action: 'promote', by: 'cli:ana' }) }));
    const execution = await finished(executionArn);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(execution.result).toMatchObject({ signal: { action: 'promote', by: 'cli:ana' } });
  });

  it('fails with the SendTaskFailure error name, which Catch matches', async () => {
    // Prepare
    const executionArn = await startHold(3600);
    const { context } = await handed;

    // Act
    await client.send(new SendTaskFailureCommand({ taskToken: context.taskToken, error: 'Rejected', cause: 'bad smoke test' }));
    const execution = await finished(executionArn);

    // Assess
    expect(execution.result).toMatchObject({ error: { Error: 'Rejected', Cause: 'bad smoke test' } });
    const history = runtime.getExecutionHistory({ executionArn });
    expect(history.events!.map((e) => e.stateEnteredEventDetails?.name).filter(Boolean)).toEqual(['Hold', 'Rejected']);
  });

  it('times out after TimeoutSecondsPath with States.Timeout, which States.TaskFailed does not catch', async () => {
    // Prepare: 60 workflow seconds last 60 ms.
    const executionArn = await startHold(60);
    const { context } = await handed;

    // Act
    const execution = await finished(executionArn);

    // Assess
    expect(execution.result).toMatchObject({ outcome: 'elapsed' });
    const history = runtime.getExecutionHistory({ executionArn });
    expect(history.events!.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails?.error).toBe('States.Timeout');
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: context.taskToken, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('fails when the invocation that was handed the token fails, with the Lambda error name', async () => {
    // Prepare
    onTask = () => {
      throw Object.assign(new Error('no table'), { name: 'ResourceNotFound' });
    };

    // Act
    const execution = await finished(await startHold(3600));

    // Assess: States.TaskFailed caught it.
    expect(execution.result).toMatchObject({ error: { Error: 'ResourceNotFound' } });
  });

  it('is aborted by StopExecution: the execution is ABORTED and its token answers TaskTimedOut', async () => {
    // Prepare
    const executionArn = await startHold(3600);
    const { context } = await handed;

    // Act
    const { stopDate } = await client.send(new StopExecutionCommand({ executionArn, error: 'Superseded', cause: 'a newer push' }));
    const execution = await client.send(new DescribeExecutionCommand({ executionArn }));

    // Assess
    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Superseded', cause: 'a newer push' });
    expect(stopDate).toBeInstanceOf(Date);
    expect(context.signal.aborted).toBe(true);
    await expect(client.send(new SendTaskSuccessCommand({ taskToken: context.taskToken, output: '{}' }))).rejects.toBeInstanceOf(TaskTimedOut);
    const history = runtime.getExecutionHistory({ executionArn, reverseOrder: true });
    expect(history.events![0]).toMatchObject({ type: 'ExecutionAborted', executionAbortedEventDetails: { error: 'Superseded' } });
  });

  it('answers a second SendTaskSuccess with TaskTimedOut', async () => {
    // Prepare
    const executionArn = await startHold(3600);
    const { context } = await handed;
    await client.send(new SendTaskSuccessCommand({ taskToken: context.taskToken, output: '{"action":"promote"}' }));
    await finished(executionArn);

    // Act
    const again = client.send(new SendTaskSuccessCommand({ taskToken: context.taskToken, output: '{"action":"rollback"}' }));

    // Assess
    await expect(again).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('accepts heartbeats while waiting', async () => {
    // Prepare
    const executionArn = await startHold(3600);
    const { context } = await handed;

    // Act
    const beat = await client.send(new SendTaskHeartbeatCommand({ taskToken: context.taskToken }));

    // Assess
    expect(beat.$metadata.httpStatusCode).toBe(200);
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
  });

  it('refuses an output that is not JSON, and keeps waiting', async () => {
    // Prepare
    const executionArn = await startHold(3600);
    const { context } = await handed;

    // Act
    const sent = client.send(new SendTaskSuccessCommand({ taskToken: context.taskToken, output: '{promote' }));

    // Assess
    await expect(sent).rejects.toBeInstanceOf(InvalidOutput);
    expect((await client.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
  });

  it.each([
    ['a malformed token', 'not-a-token', InvalidToken],
    ['a token never issued', 'A'.repeat(86), TaskDoesNotExist],
  ])('rejects %s', async (_case, taskToken, ErrorClass) => {
    // Act
    const sent = client.send(new SendTaskSuccessCommand({ taskToken, output: '{}' }));

    // Assess
    await expect(sent).rejects.toBeInstanceOf(ErrorClass);
  });
});
