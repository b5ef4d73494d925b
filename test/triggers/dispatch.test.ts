// startOrQueue / startNext / signal against the real store (dynalite) and
// Step Functions (moto, running the waiting test state machine).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExecutions, type Trigger } from '../../functions/adapters/executions.ts';
import { createDeploymentStore } from '../../functions/adapters/store.ts';
import { ConcurrentUpdate, DeploymentEnded, NothingToPromote, NothingToRollBack, NotFound, ResourceNotFound, TaskTokenRejected } from '../../functions/core/errors.ts';
import { executionName, recoverLostLock, signal, startNext, startOrQueue, STALE_LOCK_MS } from '../../functions/lib/dispatch.ts';
import { motoAvailable } from '../support/servers.ts';
import { newWorld, startEmulators, type Emulators, type World } from './harness.ts';

const SHA_A = 'aaaaaaaaaaaa1111111111111111111111111111';
const SHA_B = 'bbbbbbbbbbbb2222222222222222222222222222';
const SHA_C = 'cccccccccccc3333333333333333333333333333';
const push = (deliveryId: string): Trigger => ({ kind: 'push', by: 'github:octocat', deliveryId, commit: SHA_A });

describe('executionName', () => {
  it.each([
    ['a push', 'web', SHA_A, push('6f1a2b30-c7d4-11f0-8a3e-52b1c4f0a9d1'), 'web-aaaaaaaaaaaa-6f1a2b30c7d4'],
    ['a manifest version', 'docs', '1.4.2+build.7', push('d-1'), 'docs-1-4-2-build--d1'],
    ['the longest service name', 'a'.repeat(23), SHA_A, push('x'.repeat(40)), `${'a'.repeat(23)}-aaaaaaaaaaaa-${'x'.repeat(12)}`],
  ])('is deterministic and valid for %s', (_case, service, version, trigger, expected) => {
    // Act
    const name = executionName(service, version, trigger);

    // Assess
    expect(name).toBe(expected);
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(executionName(service, version, trigger)).toBe(name);
  });

  it('is unique per request without a delivery id', () => {
    const cli: Trigger = { kind: 'cli', by: 'cli:alice' };
    expect(executionName('web', SHA_A, cli)).not.toBe(executionName('web', SHA_A, cli));
  });
});

describe.skipIf(!motoAvailable)('dispatch (dynalite + moto)', () => {
  let emulators: Emulators;
  let world: World;

  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators?.stop());
  beforeEach(async () => {
    world = await newWorld(emulators);
  });

  describe('startOrQueue', () => {
    it('starts the first deployment and queues the next two, the newest replacing the older', async () => {
      // Act
      const a = await startOrQueue(world, 'web', SHA_A, push('d-a'));
      const b = await startOrQueue(world, 'web', SHA_B, push('d-b'));
      const c = await startOrQueue(world, 'web', SHA_C, push('d-c'));

      // Assess
      expect([a.status, b.status, c.status]).toEqual(['started', 'queued', 'queued']);
      expect((await world.listExecutions()).map((e) => e.name)).toEqual([a.executionName]);
      expect(await world.store.active('web')).toMatchObject({ executionName: a.executionName, queued: { executionName: c.executionName, version: SHA_C } });
      expect((await world.store.history('web', 10)).map((e) => e.kind)).toEqual(['queued', 'superseded', 'queued', 'started']);
    });

    it('starts the queued version when the running one finishes, once even if repeated', async () => {
      // Prepare
      const a = await startOrQueue(world, 'web', SHA_A, push('d-a'));
      const c = await startOrQueue(world, 'web', SHA_C, push('d-c'));

      // Act
      const next = await startNext(world, 'web', a.executionName);
      const repeated = await startNext(world, 'web', a.executionName);

      // Assess
      expect(next).toMatchObject({ status: 'started', executionName: c.executionName });
      expect(repeated).toMatchObject({ status: 'started', executionName: c.executionName });
      const started = await world.listExecutions();
      expect(started.map((e) => e.name).sort()).toEqual([a.executionName, c.executionName].sort());
      expect(started.find((e) => e.name === c.executionName)?.input).toEqual({ service: 'web', version: SHA_C, trigger: push('d-c') });
      expect((await world.store.active('web'))?.executionName).toBe(c.executionName);
    });

    it('frees the lock when nothing is queued', async () => {
      // Prepare
      const a = await startOrQueue(world, 'web', SHA_A, push('d-a'));

      // Act
      const next = await startNext(world, 'web', a.executionName);

      // Assess
      expect(next).toBeNull();
      expect(await world.store.active('web')).toBeNull();
    });

    it('releases the claim when StartExecution fails, so nothing stays locked', async () => {
      // Prepare
      const broken = { store: world.store, executions: createExecutions(emulators.sfn, `${world.stateMachineArn}-missing`) };

      // Act
      const attempt = startOrQueue(broken, 'web', SHA_A, push('d-a'));

      // Assess
      await expect(attempt).rejects.toThrow(ResourceNotFound);
      expect(await world.store.active('web')).toBeNull();
      expect((await world.store.history('web', 1))[0]).toMatchObject({ kind: 'finished', outcome: 'not-started' });
    });

    it('takes over a lock left by an execution that never started, once it is stale', async () => {
      // Prepare: a claim ten minutes old whose StartExecution never happened
      const longAgo = new Date(Date.now() - 2 * STALE_LOCK_MS);
      const oldStore = createDeploymentStore(emulators.dynamo, world.tableName, { now: () => longAgo });
      await oldStore.claim('web', { executionName: 'web-lost', version: SHA_A, trigger: push('d-lost') });

      // Act
      const b = await startOrQueue(world, 'web', SHA_B, push('d-b'));

      // Assess
      expect(b.status).toBe('started');
      expect((await world.store.active('web'))?.executionName).toBe(b.executionName);
      expect((await world.listExecutions()).map((e) => e.name)).toEqual([b.executionName]);
    });

    it('answers started when the sweep hands it the lock between its queueing and its own look at the lock', async () => {
      // Prepare: a lock left by an execution that never started; the sweep runs right after the push queues
      const longAgo = new Date(Date.now() - 2 * STALE_LOCK_MS);
      await createDeploymentStore(emulators.dynamo, world.tableName, { now: () => longAgo }).claim('web', { executionName: 'web-lost', version: SHA_A, trigger: push('d-lost') });
      const store = {
        ...world.store,
        claim: async (...args: Parameters<typeof world.store.claim>) => {
          const outcome = await world.store.claim(...args);
          await recoverLostLock(world, 'web');
          return outcome;
        },
      };

      // Act
      const b = await startOrQueue({ store, executions: world.executions }, 'web', SHA_B, push('d-b'));

      // Assess
      expect(b).toEqual({ status: 'started', executionName: b.executionName, executionArn: world.executions.arnOf(b.executionName) });
      expect((await world.listExecutions()).map((e) => [e.name, e.status])).toEqual([[b.executionName, 'RUNNING']]);
      expect((await world.store.history('web', 10)).filter((e) => e.kind === 'finished')).toHaveLength(1);
    });

    it('leaves a fresh lock alone even before its execution exists', async () => {
      // Prepare
      await world.store.claim('web', { executionName: 'web-starting', version: SHA_A, trigger: push('d-s') });

      // Act
      const b = await startOrQueue(world, 'web', SHA_B, push('d-b'));

      // Assess
      expect(b.status).toBe('queued');
      expect(await world.listExecutions()).toEqual([]);
    });
  });

  describe('a redelivery after the dedupe window', () => {
    /** A push deployed and finished: its execution succeeded and released the lock, as the workflow's Finish does. */
    async function deployed(deliveryId: string, version = SHA_A) {
      const started = await startOrQueue(world, 'web', version, push(deliveryId));
      await succeeds(started.executionName);
      await startNext(world, 'web', started.executionName);
      return started;
    }

    async function succeeds(name: string) {
      await world.executions.sendSuccess(await world.taskToken(name), { action: 'promote', by: 'cli:test', reason: 'done' });
      await world.outputOf(name);
    }

    const kinds = async (name: string) => (await world.store.history('web', 20)).filter((e) => e.executionName === name).map((e) => e.kind);

    it('of a push whose execution succeeded starts nothing, keeps no lock and is recorded once, not as a second start', async () => {
      // Prepare
      const a = await deployed('d-a');

      // Act
      const again = await startOrQueue(world, 'web', SHA_A, push('d-a'));

      // Assess
      expect(again).toEqual({ status: 'already-handled', executionName: a.executionName, executionArn: world.executions.arnOf(a.executionName), executionStatus: 'SUCCEEDED' });
      expect((await world.listExecutions()).map((e) => e.name)).toEqual([a.executionName]);
      expect(await world.store.active('web')).toBeNull();
      expect(await kinds(a.executionName)).toEqual(['redelivered', 'started']);
      expect((await world.store.history('web', 1))[0]?.reason).toBe(`delivery d-a arrived again: already deployed by ${a.executionName}, which ended SUCCEEDED; nothing started`);
    });

    it('while another deployment runs takes no place in the queue: the push queued there stays next', async () => {
      // Prepare
      await deployed('d-a');
      const b = await startOrQueue(world, 'web', SHA_B, push('d-b'));
      const c = await startOrQueue(world, 'web', SHA_C, push('d-c'));

      // Act
      const again = await startOrQueue(world, 'web', SHA_A, push('d-a'));

      // Assess
      expect(again.status).toBe('already-handled');
      expect(await world.store.active('web')).toMatchObject({ executionName: b.executionName, queued: { executionName: c.executionName } });
      expect((await world.store.history('web', 20)).filter((e) => e.kind === 'superseded')).toEqual([]);
    });

    it('that meets its execution ending releases the lock and starts the push queued behind it meanwhile', async () => {
      // Prepare: A still runs when its delivery comes again; as StartExecution is called, A ends and C is pushed
      const a = await startOrQueue(world, 'web', SHA_A, push('d-a'));
      let c: Awaited<ReturnType<typeof startOrQueue>> | undefined;
      const executions = {
        ...world.executions,
        start: async (name: string, input: Parameters<typeof world.executions.start>[1]) => {
          if (name === a.executionName && !c) {
            await succeeds(a.executionName);
            c = await startOrQueue(world, 'web', SHA_C, push('d-c'));
          }
          return world.executions.start(name, input);
        },
      };

      // Act
      const again = await startOrQueue({ store: world.store, executions }, 'web', SHA_A, push('d-a'));

      // Assess
      expect(c?.status).toBe('queued');
      expect(again).toMatchObject({ status: 'already-handled', executionName: a.executionName, executionStatus: 'SUCCEEDED' });
      expect(await world.store.active('web')).toMatchObject({ executionName: c!.executionName, queued: null });
      expect((await world.listExecutions()).map((e) => [e.name, e.status]).sort()).toEqual([[a.executionName, 'SUCCEEDED'], [c!.executionName, 'RUNNING']].sort());
      expect(await kinds(a.executionName)).toEqual(['redelivered', 'started']);
      expect(await kinds(c!.executionName)).toEqual(['started', 'queued']);
    });
  });

  describe('signal', () => {
    async function waiting(kind: 'promotion' | 'bake' | 'retention' = 'promotion', releaseNumber = 4) {
      const started = await startOrQueue(world, 'web', SHA_A, push('d-a'));
      if (started.status !== 'started') throw new Error('expected a start');
      const token = await world.taskToken(started.executionName);
      await world.store.putWait('web', { executionArn: started.executionArn, token, kind, releaseNumber, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      return started;
    }

    it('resumes the waiting execution with the action, who and why', async () => {
      // Prepare
      const started = await waiting();

      // Act
      const result = await signal(world, 'web', { action: 'promote', by: 'slack:U1', reason: 'looks good' });

      // Assess
      expect(result).toMatchObject({ outcome: 'signalled', action: 'promote', wait: { kind: 'promotion', releaseNumber: 4 } });
      expect(await world.outputOf(started.executionName)).toEqual({ action: 'promote', by: 'slack:U1', reason: 'looks good' });
      expect((await world.store.history('web', 1))[0]).toMatchObject({ kind: 'signal', by: 'slack:U1', action: 'promote', executionName: started.executionName });
      expect((await world.store.getWait('web'))?.taken).toMatchObject({ by: 'slack:U1', action: 'promote' });
    });

    it('lets exactly one of a promote and an alarm rollback at the same moment through', async () => {
      // Prepare
      const started = await waiting('bake');

      // Act
      const results = await Promise.allSettled([
        signal(world, 'web', { action: 'promote', by: 'slack:U1', reason: 'ship it' }),
        signal(world, 'web', { action: 'rollback', by: 'alarm:bg-web-4-5xx', reason: '5xx', expect: { kinds: ['bake', 'retention'], releaseNumber: 4 } }),
      ]);

      // Assess
      const winners = results.filter((r) => r.status === 'fulfilled');
      const losers = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(winners).toHaveLength(1);
      expect(losers[0]?.reason).toBeInstanceOf(ConcurrentUpdate);
      const output = (await world.outputOf(started.executionName)) as { by: string };
      expect((losers[0]?.reason as Error).message).toContain(`already taken by ${output.by}`);
      expect((await world.store.history('web', 10)).filter((e) => e.kind === 'signal')).toHaveLength(1);
    });

    it.each([
      ['promote', NothingToPromote],
      ['rollback', NothingToRollBack],
    ] as const)('refuses %s while the deployment waits for nothing, saying what it does', async (action, refusal) => {
      // Prepare
      const started = await startOrQueue(world, 'web', SHA_A, push('d-a'));

      // Act
      const attempt = signal(world, 'web', { action, by: 'slack:U1', reason: 'now' });

      // Assess
      await expect(attempt).rejects.toThrow(refusal);
      await expect(attempt).rejects.toThrow(`deployment ${started.executionName} (version ${SHA_A}) is still working`);
    });

    it('records an abort request when the deployment waits for nothing', async () => {
      // Prepare
      const started = await startOrQueue(world, 'web', SHA_A, push('d-a'));

      // Act
      const result = await signal(world, 'web', { action: 'abort', by: 'slack:U1', reason: 'wrong build' });

      // Assess
      expect(result).toMatchObject({ outcome: 'abort-requested', active: { executionName: started.executionName } });
      expect(await world.store.abortRequested('web', started.executionName)).toMatchObject({ by: 'slack:U1', reason: 'wrong build' });
    });

    describe('an abort naming the execution the user saw', () => {
      /** A ended and handed the lock to B, which runs now. */
      async function handedOver() {
        const a = await startOrQueue(world, 'web', SHA_A, push('d-a'));
        const b = await startOrQueue(world, 'web', SHA_B, push('d-b'));
        await startNext(world, 'web', a.executionName);
        return { a, b };
      }

      it('is refused once that execution has ended, naming the one running, whose lock gets no abort', async () => {
        // Prepare
        const { a, b } = await handedOver();

        // Act
        const attempt = signal(world, 'web', { action: 'abort', by: 'slack:U1', reason: 'wrong build', expect: { executionName: a.executionName } });

        // Assess
        await expect(attempt).rejects.toThrow(DeploymentEnded);
        await expect(attempt).rejects.toThrow(`web: the deployment you aborted, ${a.executionName}, has ended; ${b.executionName} (version ${SHA_B}) is running now: abort it by name`);
        await expect(attempt).rejects.toMatchObject({ running: b.executionName });
        expect(await world.store.active('web')).toMatchObject({ executionName: b.executionName, abort: null });
        expect((await world.store.history('web', 20)).filter((e) => e.kind === 'abort-requested')).toEqual([]);
      });

      it('is refused when the lock changes hands between the read and the write (the write is conditional)', async () => {
        // Prepare: the read still shows A; by the write, B holds the lock
        const { a, b } = await handedOver();
        const staleRead = { ...world.store, active: async () => ({ ...(await world.store.active('web'))!, executionName: a.executionName }) };

        // Act
        const attempt = signal({ store: staleRead, executions: world.executions }, 'web', { action: 'abort', by: 'cli:alice', reason: 'x', expect: { executionName: a.executionName } });

        // Assess
        await expect(attempt).rejects.toThrow(DeploymentEnded);
        expect(await world.store.abortRequested('web', b.executionName)).toBeNull();
      });

      it('is refused while the one running waits, and the wait stays open', async () => {
        // Prepare
        const { a, b } = await handedOver();
        const token = await world.taskToken(b.executionName);
        await world.store.putWait('web', { executionArn: world.executions.arnOf(b.executionName), token, kind: 'promotion', releaseNumber: 5, expiresAt: new Date(Date.now() + 3_600_000).toISOString() });

        // Act + Assess
        await expect(signal(world, 'web', { action: 'abort', by: 'slack:U1', reason: 'x', expect: { executionName: a.executionName } })).rejects.toThrow(
          `the deployment you aborted, ${a.executionName}, has ended; ${b.executionName} is running now`,
        );
        expect((await world.store.getWait('web'))?.taken).toBeNull();
      });

      it('is recorded on that execution while it runs', async () => {
        // Prepare
        const { b } = await handedOver();

        // Act
        const result = await signal(world, 'web', { action: 'abort', by: 'slack:U1', reason: 'wrong build', expect: { executionName: b.executionName } });

        // Assess
        expect(result).toMatchObject({ outcome: 'abort-requested', active: { executionName: b.executionName } });
        expect(await world.store.abortRequested('web', b.executionName)).toMatchObject({ by: 'slack:U1' });
      });
    });

    it('refuses an abort when nothing runs', async () => {
      await expect(signal(world, 'web', { action: 'abort', by: 'slack:U1', reason: 'x' })).rejects.toThrow(NotFound);
    });

    it.each([
      ['another kind of wait', { kinds: ['bake' as const, 'retention' as const] }, /waiting in promotion of release 4, not in bake or retention/],
      ['another release', { releaseNumber: 3 }, /not of release 3/],
    ])('leaves the wait open when it expects %s', async (_case, expect_, message) => {
      // Prepare
      await waiting('promotion', 4);

      // Act + Assess
      await expect(signal(world, 'web', { action: 'rollback', by: 'alarm:bg-web-3-5xx', reason: 'x', expect: expect_ })).rejects.toThrow(message);
      expect((await world.store.getWait('web'))?.taken).toBeNull();
    });

    it('reports a wait that has already ended and keeps it taken', async () => {
      // Prepare: the wait ended behind the store's back (answered by hand in the console)
      const started = await waiting();
      await world.executions.sendFailure(await world.taskToken(started.executionName), 'Stopped', 'by hand');
      await world.outputOf(started.executionName);

      // Act + Assess
      await expect(signal(world, 'web', { action: 'promote', by: 'slack:U1', reason: 'late' })).rejects.toThrow(TaskTokenRejected);
      expect((await world.store.getWait('web'))?.taken).toMatchObject({ by: 'slack:U1' });
    });
  });
});
