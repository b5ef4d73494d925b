// The Executions adapter against moto's Step Functions, which runs the test
// state machine: it waits with a task token until it is resumed.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { createExecutions, type ExecutionInput } from '../../functions/adapters/executions.ts';
import { ResourceInUse, ResourceNotFound, TaskTokenRejected } from '../../functions/core/errors.ts';
import { motoAvailable } from '../support/servers.ts';
import { newWorld, startEmulators, type Emulators, type World } from './harness.ts';

const input: ExecutionInput = { service: 'web', version: '4b825dc642cb6eb9a060e54bf8d69288fbee4904', trigger: { kind: 'cli', by: 'cli:alice', deliveryId: 'r-1' } };

describe.skipIf(!motoAvailable)('Executions on Step Functions (moto)', () => {
  let emulators: Emulators;
  let world: World;

  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators?.stop());
  beforeEach(async () => {
    world = await newWorld(emulators);
  });

  it('starts an execution once per name: the same input again counts as started', async () => {
    // Act
    const first = await world.executions.start('web-1', input);
    const again = await world.executions.start('web-1', input);

    // Assess
    expect(first).toEqual({ executionArn: world.executions.arnOf('web-1'), alreadyStarted: false, status: 'RUNNING' });
    expect(again.executionArn).toBe(first.executionArn);
    expect(await world.listExecutions()).toEqual([{ name: 'web-1', status: 'RUNNING', input }]);
  });

  it('counts a finished execution of the same name and input as started', async () => {
    // Prepare
    await world.executions.start('web-1', input);
    await world.executions.sendSuccess(await world.taskToken('web-1'), { action: 'promote', by: 'cli:alice', reason: 'ok' });
    await world.outputOf('web-1');

    // Act
    const again = await world.executions.start('web-1', input);

    // Assess
    expect(again).toMatchObject({ alreadyStarted: true, status: 'SUCCEEDED' });
    expect(await world.listExecutions()).toHaveLength(1);
  });

  it('refuses a name already used with another input', async () => {
    // Prepare
    await world.executions.start('web-1', input);
    await world.executions.sendSuccess(await world.taskToken('web-1'), { action: 'promote', by: 'cli:alice', reason: 'ok' });
    await world.outputOf('web-1');

    // Act + Assess
    await expect(world.executions.start('web-1', { ...input, version: 'other' })).rejects.toThrow(ResourceInUse);
  });

  it('resumes the waiting state with the signal as its output', async () => {
    // Prepare
    await world.executions.start('web-1', input);
    const token = await world.taskToken('web-1');

    // Act
    await world.executions.sendSuccess(token, { action: 'rollback', by: 'slack:U1', reason: 'errors' });

    // Assess
    expect(await world.outputOf('web-1')).toEqual({ action: 'rollback', by: 'slack:U1', reason: 'errors' });
    expect((await world.executions.describe(world.executions.arnOf('web-1'))).status).toBe('SUCCEEDED');
  });

  it.each([
    ['an unknown token', () => Promise.resolve('not-a-token')],
    ['a token already answered', async () => {
      await world.executions.start('web-1', input);
      const token = await world.taskToken('web-1');
      await world.executions.sendSuccess(token, { action: 'promote', by: 'cli:alice', reason: 'ok' });
      await world.outputOf('web-1');
      return token;
    }],
  ])('maps %s to TaskTokenRejected', async (_case, token) => {
    // Prepare
    const dead = await token();

    // Act + Assess
    await expect(world.executions.sendSuccess(dead, { action: 'promote', by: 'cli:alice', reason: 'late' })).rejects.toThrow(TaskTokenRejected);
  });

  it('maps a failure sent with an unknown token to TaskTokenRejected', async () => {
    await expect(world.executions.sendFailure('not-a-token', 'Rejected', 'late')).rejects.toThrow(TaskTokenRejected);
  });

  it('fails the waiting state with sendFailure', async () => {
    // Prepare
    await world.executions.start('web-1', input);
    const token = await world.taskToken('web-1');

    // Act
    await world.executions.sendFailure(token, 'Rejected', 'the release was refused');
    await world.outputOf('web-1');

    // Assess
    expect(await world.executions.describe(world.executions.arnOf('web-1'))).toMatchObject({ status: 'FAILED', error: 'Rejected' });
  });

  it('describes and lists executions', async () => {
    // Prepare
    await world.executions.start('web-1', input);
    await world.executions.start('web-2', { ...input, version: 'v2' });
    await world.executions.sendSuccess(await world.taskToken('web-1'), { action: 'promote', by: 'cli:alice', reason: 'ok' });
    await world.outputOf('web-1');

    // Act
    const running = await world.executions.list({ status: 'RUNNING' });
    const one = await world.executions.list({ limit: 1 });
    const described = await world.executions.describe(world.executions.arnOf('web-1'));

    // Assess
    expect(running.map((e) => e.name)).toEqual(['web-2']);
    expect(one).toHaveLength(1);
    expect(described).toMatchObject({ name: 'web-1', status: 'SUCCEEDED', input, output: { action: 'promote', by: 'cli:alice', reason: 'ok' } });
  });

  it('stops an execution', async () => {
    // Prepare: moto aborts a Wait state on StopExecution (not a wait for a task token)
    const machine = await emulators.sfn.send(
      new CreateStateMachineCommand({
        name: `sleep-${Date.now()}`,
        definition: JSON.stringify({ StartAt: 'Sleep', States: { Sleep: { Type: 'Wait', Seconds: 60, End: true } } }),
        roleArn: 'arn:aws:iam::123456789012:role/sfn',
      }),
    );
    const executions = createExecutions(emulators.sfn, machine.stateMachineArn!);
    const { executionArn } = await executions.start('web-1', input);

    // Act
    await executions.stop(executionArn, 'Aborted', 'superseded');

    // Assess
    expect(await executions.describe(executionArn)).toMatchObject({ status: 'ABORTED' });
  });

  it('maps an unknown execution to ResourceNotFound', async () => {
    await expect(world.executions.describe(world.executions.arnOf('missing'))).rejects.toThrow(ResourceNotFound);
  });
});
