// The deployment store against dynalite: the lock and its queue, the wait,
// abort requests, delivery markers and the history, including races.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Trigger } from '../../functions/adapters/executions.ts';
import { createDeploymentStore, deploymentTableDefinition, type DeploymentStore, type Wait, type WaitInput } from '../../functions/adapters/store.ts';
import { BadRequest, ConcurrentUpdate, LockHeld, NotFound } from '../../functions/core/errors.ts';
import { emulatorClientConfig, startDynalite, type RunningServer } from '../support/servers.ts';

let dynalite: RunningServer;
let doc: DynamoDBDocumentClient;
let store: DeploymentStore;
let clock: Date;

beforeAll(async () => {
  dynalite = await startDynalite();
  doc = DynamoDBDocumentClient.from(new DynamoDBClient(emulatorClientConfig(dynalite.endpoint)));
});
afterAll(() => dynalite.stop());

beforeEach(async () => {
  const tableName = `deployments-${randomBytes(4).toString('hex')}`;
  await doc.send(new CreateTableCommand(deploymentTableDefinition(tableName)));
  clock = new Date('2026-11-22T10:00:00.000Z');
  store = createDeploymentStore(doc, tableName, { now: () => clock });
});

const push = (by: string, deliveryId: string): Trigger => ({ kind: 'push', by, deliveryId });
const request = (name: string, version = `v-${name}`) => ({ executionName: name, version, trigger: push(`github:${name}`, `d-${name}`) });
const tick = (ms = 1000) => (clock = new Date(clock.getTime() + ms));

function wait(token: string, overrides: Partial<WaitInput> = {}): WaitInput {
  return {
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:deploy:web-a',
    token,
    kind: 'promotion',
    releaseNumber: 4,
    expiresAt: '2026-11-23T10:00:00.000Z',
    ...overrides,
  };
}

describe('lock and queue', () => {
  it('gives the free lock to the first claim and queues the next', async () => {
    // Act
    const first = await store.claim('web', request('a'));
    const second = await store.claim('web', request('b'));

    // Assess
    expect([first, second]).toEqual(['claimed', 'queued']);
    expect(await store.active('web')).toMatchObject({ executionName: 'a', version: 'v-a', queued: { executionName: 'b', version: 'v-b' }, abort: null });
  });

  it('keeps only the newest queued version and writes the replaced one to the history', async () => {
    // Prepare
    await store.claim('web', request('a'));
    await store.claim('web', request('b'));
    tick();

    // Act
    const outcome = await store.claim('web', request('c'));

    // Assess
    expect(outcome).toBe('queued');
    expect((await store.active('web'))?.queued?.executionName).toBe('c');
    const history = await store.history('web', 10);
    expect(history.map((e) => [e.kind, e.executionName])).toEqual([
      ['queued', 'c'],
      ['superseded', 'b'],
      ['queued', 'b'],
    ]);
    expect(history[1]?.reason).toContain('v-c');
  });

  it('answers a repeated claim of the same execution as before, without new history', async () => {
    // Prepare
    await store.claim('web', request('a'));
    await store.claim('web', request('b'));

    // Act
    const again = [await store.claim('web', request('a')), await store.claim('web', request('b'))];

    // Assess
    expect(again).toEqual(['claimed', 'queued']);
    expect(await store.history('web', 10)).toHaveLength(1);
  });

  it('lets exactly one of many simultaneous claims take the lock and queues the rest, newest last', async () => {
    // Act
    const outcomes = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((n) => store.claim('web', request(n))));

    // Assess
    expect(outcomes.filter((o) => o === 'claimed')).toHaveLength(1);
    const history = await store.history('web', 20);
    expect(history.filter((e) => e.kind === 'queued')).toHaveLength(4);
    expect(history.filter((e) => e.kind === 'superseded')).toHaveLength(3);
    const active = await store.active('web');
    expect(history.find((e) => e.kind === 'queued')?.executionName).toBe(active?.queued?.executionName);
  });

  it('hands the lock straight to the queued version on finish, and again on a repeated finish', async () => {
    // Prepare
    await store.claim('web', request('a'));
    await store.claim('web', request('b'));
    await store.claim('web', request('c'));

    // Act
    const handover = await store.finish('web', 'a');
    const repeated = await store.finish('web', 'a');

    // Assess
    expect(handover).toEqual({ next: request('c'), released: true });
    expect(repeated).toEqual({ next: request('c'), released: false });
    expect(await store.active('web')).toMatchObject({ executionName: 'c', queued: null });
  });

  it('frees the lock when nothing is queued', async () => {
    // Prepare
    await store.claim('web', request('a'));

    // Act
    const { next, released } = await store.finish('web', 'a');
    const repeated = await store.finish('web', 'a');

    // Assess
    expect(next).toBeNull();
    expect([released, repeated.released]).toEqual([true, false]);
    expect(await store.active('web')).toBeNull();
    expect(await store.claim('web', request('b'))).toBe('claimed');
  });

  it('refuses to release a lock another execution holds', async () => {
    // Prepare
    await store.claim('web', request('a'));

    // Act + Assess
    await expect(store.finish('web', 'z')).rejects.toThrow(LockHeld);
    expect((await store.active('web'))?.executionName).toBe('a');
  });

  it('keeps services apart', async () => {
    // Act
    const outcomes = [await store.claim('web', request('a')), await store.claim('api', request('b'))];

    // Assess
    expect(outcomes).toEqual(['claimed', 'claimed']);
  });
});

describe('wait', () => {
  it('is taken exactly once; the loser learns who won', async () => {
    // Prepare
    await store.putWait('web', wait('token-1'));

    // Act
    const results = await Promise.allSettled([
      store.takeWait('web', { by: 'slack:U1', action: 'promote' }),
      store.takeWait('web', { by: 'alarm:bg-web-4-5xx', action: 'rollback' }),
    ]);

    // Assess
    const won = results.filter((r): r is PromiseFulfilledResult<Wait> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = won[0]!.value.taken!.by;
    expect(lost[0]!.reason).toBeInstanceOf(ConcurrentUpdate);
    expect((lost[0]!.reason as Error).message).toContain(`already taken by ${winner}`);
    expect((await store.getWait('web'))?.taken?.by).toBe(winner);
  });

  it('returns the open wait with its token, then who answered it', async () => {
    // Prepare
    await store.putWait('web', wait('token-1'));

    // Act
    const open = await store.getWait('web');
    const taken = await store.takeWait('web', { by: 'slack:U1', action: 'promote', expectedToken: 'token-1' });

    // Assess
    expect(open).toMatchObject({ token: 'token-1', kind: 'promotion', releaseNumber: 4, enteredAt: clock.toISOString(), taken: null });
    expect(taken).toMatchObject({ token: 'token-1', taken: { by: 'slack:U1', action: 'promote', at: clock.toISOString() } });
    expect(await store.getWait('web')).toEqual(taken);
  });

  it('refuses to take a wait whose token is not the expected one, and leaves it open', async () => {
    // Prepare
    await store.putWait('web', wait('token-2', { kind: 'bake' }));

    // Act + Assess
    await expect(store.takeWait('web', { by: 'slack:U1', action: 'promote', expectedToken: 'token-1' })).rejects.toThrow(/changed meanwhile \(now the bake wait/);
    expect((await store.getWait('web'))?.token).toBe('token-2');
  });

  it('refuses when no wait exists', async () => {
    await expect(store.takeWait('web', { by: 'slack:U1', action: 'rollback' })).rejects.toThrow(/no wait is open/);
  });

  it('does not reopen a taken wait when the same token is recorded again, but opens a new one', async () => {
    // Prepare
    await store.putWait('web', wait('token-1'));
    await store.takeWait('web', { by: 'slack:U1', action: 'promote' });

    // Act
    await store.putWait('web', wait('token-1'));
    const afterRetry = await store.getWait('web');
    await store.putWait('web', wait('token-2', { kind: 'bake' }));

    // Assess
    expect(afterRetry?.taken).toMatchObject({ by: 'slack:U1' });
    expect(await store.getWait('web')).toMatchObject({ token: 'token-2', kind: 'bake', taken: null });
  });

  it('gives a taken wait back to be answered again', async () => {
    // Prepare
    await store.putWait('web', wait('token-1'));
    await store.takeWait('web', { by: 'slack:U1', action: 'promote' });

    // Act
    await store.releaseWait('web', 'token-1', 'slack:U1');

    // Assess
    expect(await store.getWait('web')).toMatchObject({ token: 'token-1', taken: null });
  });

  it('rejects an expiry that is not a time, naming the field', async () => {
    await expect(store.putWait('web', wait('t', { expiresAt: 'tomorrow' }))).rejects.toThrow(BadRequest);
    await expect(store.putWait('web', wait('t', { expiresAt: 'tomorrow' }))).rejects.toThrow(/expiresAt/);
  });
});

describe('abort request', () => {
  it('is refused when nothing runs', async () => {
    await expect(store.requestAbort('web', { by: 'slack:U1', reason: 'stop' })).rejects.toThrow(NotFound);
  });

  it('is seen by the running execution only, and cleared by the handover', async () => {
    // Prepare
    await store.claim('web', request('a'));
    await store.claim('web', request('b'));

    // Act
    const active = await store.requestAbort('web', { by: 'slack:U1', reason: 'wrong build' });
    const seenByA = await store.abortRequested('web', 'a');
    const seenByB = await store.abortRequested('web', 'b');
    await store.finish('web', 'a');

    // Assess
    expect(active.abort).toMatchObject({ by: 'slack:U1', reason: 'wrong build' });
    expect(seenByA).toMatchObject({ by: 'slack:U1', reason: 'wrong build' });
    expect(seenByB).toBeNull();
    expect(await store.abortRequested('web', 'b')).toBeNull();
    expect((await store.history('web', 1))[0]).toMatchObject({ kind: 'abort-requested', by: 'slack:U1', executionName: 'a' });
  });

  it('naming an execution, lands on that execution only: refused with LockHeld once another holds the lock', async () => {
    // Prepare: a ended and handed the lock to b
    await store.claim('web', request('a'));
    await store.claim('web', request('b'));
    await store.finish('web', 'a');

    // Act
    const stale = store.requestAbort('web', { by: 'slack:U1', reason: 'wrong build', executionName: 'a' });

    // Assess
    await expect(stale).rejects.toThrow(LockHeld);
    await expect(stale).rejects.toThrow('web: the lock is held by b, not a; no abort was recorded');
    expect(await store.abortRequested('web', 'b')).toBeNull();
    expect((await store.history('web', 10)).filter((e) => e.kind === 'abort-requested')).toEqual([]);
    expect((await store.requestAbort('web', { by: 'slack:U1', reason: 'this one', executionName: 'b' })).abort).toMatchObject({ reason: 'this one' });
  });

  it('naming an execution, is refused with NotFound when nothing runs', async () => {
    await expect(store.requestAbort('web', { by: 'slack:U1', reason: 'stop', executionName: 'a' })).rejects.toThrow(NotFound);
  });
});

describe('delivery markers', () => {
  it('answers true only the first time within the TTL, and again once expired', async () => {
    // Act
    const first = await store.firstDelivery('d-1', 60);
    const second = await store.firstDelivery('d-1', 60);
    tick(61_000);
    const afterExpiry = await store.firstDelivery('d-1', 60);

    // Assess
    expect([first, second, afterExpiry]).toEqual([true, false, true]);
  });

  it('forgets a delivery on request', async () => {
    // Prepare
    await store.firstDelivery('d-1', 60);

    // Act
    await store.forgetDelivery('d-1');

    // Assess
    expect(await store.firstDelivery('d-1', 60)).toBe(true);
  });
});

describe('history', () => {
  it('lists the newest first, at most the limit, per service', async () => {
    // Prepare
    for (const [i, step] of ['createTargetGroup', 'createFleet', 'checkHealth'].entries()) {
      clock = new Date(Date.UTC(2026, 10, 22, 10, 0, i));
      await store.append('web', { kind: 'step', by: 'workflow', step, listenerChanges: [], durationMs: 100 * i });
    }
    await store.append('api', { kind: 'step', by: 'workflow', step: 'other' });

    // Act
    const history = await store.history('web', 2);

    // Assess
    expect(history).toEqual([
      { kind: 'step', by: 'workflow', step: 'checkHealth', listenerChanges: [], durationMs: 200, at: '2026-11-22T10:00:02.000Z' },
      { kind: 'step', by: 'workflow', step: 'createFleet', listenerChanges: [], durationMs: 100, at: '2026-11-22T10:00:01.000Z' },
    ]);
  });
});
