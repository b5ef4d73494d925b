// The scheduled sweep: the real handler, the store on dynalite, Step
// Functions on moto. A lock whose execution ended without releasing it is
// recovered with no push; the lock of a running execution is left alone.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Trigger } from '../../functions/adapters/executions.ts';
import { createDeploymentStore } from '../../functions/adapters/store.ts';
import { startOrQueue, STALE_LOCK_MS } from '../../functions/lib/dispatch.ts';
import { createLogger } from '../../functions/lib/logging.ts';
import { createHandler, type ServiceSweep, type SweepReport } from '../../functions/sweep.ts';
import { fixture } from '../support/events.ts';
import { motoAvailable } from '../support/servers.ts';
import { captureOutput, CONFIG, lambdaContext, newWorld, startEmulators, type Emulators, type World } from './harness.ts';

const SHA_A = 'aaaaaaaaaaaa1111111111111111111111111111';
const SHA_B = 'bbbbbbbbbbbb2222222222222222222222222222';
const push = (deliveryId: string): Trigger => ({ kind: 'push', by: 'github:octocat', deliveryId, commit: SHA_A });

describe.skipIf(!motoAvailable)('the scheduled sweep (dynalite + moto)', () => {
  let emulators: Emulators;
  let world: World;
  let output: ReturnType<typeof captureOutput>;

  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators?.stop());
  beforeEach(async () => {
    world = await newWorld(emulators);
    output = captureOutput();
  });
  afterEach(() => output.restore());

  const sweep = () => createHandler({ config: CONFIG, store: world.store, executions: world.executions, logger: createLogger('sweep') });
  const run = async (handler = sweep()) => (await handler(fixture('eventbridge/scheduled-sweep'), lambdaContext())) as SweepReport & { outcome: 'swept' };
  const of = (report: SweepReport & { outcome: 'swept' }, service: string) => report.services.find((s) => s.service === service);

  /** A deployment of `service` started ten minutes ago (a stale lock, once its execution ends), as a push leaves it. */
  async function startedLongAgo(service: string, version = SHA_A, deliveryId = `d-${service}`) {
    const longAgo = new Date(Date.now() - 2 * STALE_LOCK_MS);
    const store = createDeploymentStore(emulators.dynamo, world.tableName, { now: () => longAgo });
    const started = await startOrQueue({ store, executions: world.executions }, service, version, push(deliveryId));
    if (started.status !== 'started') throw new Error(`expected ${service} to start`);
    return started;
  }

  /** The execution ends (here: resumed, so it succeeds) without its Finish step releasing the lock. */
  async function endsWithoutReleasing(executionName: string) {
    await world.executions.sendSuccess(await world.taskToken(executionName), { action: 'promote', by: 'cli:test', reason: 'done' });
    await world.outputOf(executionName);
  }

  it('recovers a lock whose execution ended without releasing it, with no push, and starts the queued version', async () => {
    // Prepare: A holds the lock, B is queued behind it, then A ends and nothing releases its lock
    const a = await startedLongAgo('web');
    const b = await startOrQueue(world, 'web', SHA_B, push('d-b'));
    await endsWithoutReleasing(a.executionName);

    // Act
    const report = await run();

    // Assess
    expect(b.status).toBe('queued');
    expect(of(report, 'web')).toMatchObject({ outcome: 'recovered', executionName: a.executionName, next: { status: 'started', executionName: b.executionName } });
    expect(await world.store.active('web')).toMatchObject({ executionName: b.executionName, version: SHA_B, queued: null });
    const executions = await world.listExecutions();
    expect(executions.map((e) => [e.name, e.status]).sort()).toEqual([[a.executionName, 'SUCCEEDED'], [b.executionName, 'RUNNING']].sort());
    const history = await world.store.history('web', 10);
    expect(history.filter((e) => e.kind === 'finished')).toEqual([expect.objectContaining({ executionName: a.executionName, outcome: 'lost', by: 'dispatch' })]);
    expect(history.filter((e) => e.kind === 'started').map((e) => e.executionName)).toEqual([b.executionName, a.executionName]);
  });

  it('frees the lock when nothing is queued, and a second sweep finds nothing more to do', async () => {
    // Prepare
    const a = await startedLongAgo('web');
    await endsWithoutReleasing(a.executionName);

    // Act
    const first = await run();
    const second = await run();

    // Assess
    expect(of(first, 'web')).toEqual({ service: 'web', outcome: 'recovered', executionName: a.executionName, next: null });
    expect(of(second, 'web')).toEqual({ service: 'web', outcome: 'free' });
    expect(await world.store.active('web')).toBeNull();
    expect((await world.store.history('web', 10)).filter((e) => e.kind === 'finished')).toHaveLength(1);
  });

  it('leaves alone the lock of a running execution, however old, and its queued version', async () => {
    // Prepare
    const a = await startedLongAgo('web');
    const b = await startOrQueue(world, 'web', SHA_B, push('d-b'));

    // Act
    const report = await run();

    // Assess
    expect(of(report, 'web')).toEqual({ service: 'web', outcome: 'running', executionName: a.executionName });
    expect(await world.store.active('web')).toMatchObject({ executionName: a.executionName, queued: { executionName: b.executionName } });
    expect((await world.listExecutions()).map((e) => e.name)).toEqual([a.executionName]);
    expect((await world.store.history('web', 10)).filter((e) => e.kind === 'finished')).toEqual([]);
  });

  it('sweeps every configured service: a lost lock recovered, a running one and a fresh claim left, a free one untouched', async () => {
    // Prepare: web's execution ended without releasing, api's runs, docs was claimed a moment ago and is not started yet
    const web = await startedLongAgo('web');
    const queuedWeb = await startOrQueue(world, 'web', SHA_B, push('d-web-b'));
    await endsWithoutReleasing(web.executionName);
    const api = await startedLongAgo('api');
    await world.store.claim('docs', { executionName: 'docs-starting', version: '1.0.0', trigger: push('d-docs') });

    // Act
    const report = await run();

    // Assess
    const outcomes = Object.fromEntries(report.services.map((s: ServiceSweep) => [s.service, s.outcome]));
    expect(outcomes).toEqual({ web: 'recovered', api: 'running', docs: 'fresh' });
    expect((await world.store.active('web'))?.executionName).toBe(queuedWeb.executionName);
    expect((await world.store.active('api'))?.executionName).toBe(api.executionName);
    expect((await world.store.active('docs'))?.executionName).toBe('docs-starting');
    expect((await world.listExecutions()).map((e) => e.name).sort()).toEqual([web.executionName, queuedWeb.executionName, api.executionName].sort());
  });

  it('recovers a lock once when a push meets it at the moment of the sweep', async () => {
    // Prepare
    const a = await startedLongAgo('web');
    await endsWithoutReleasing(a.executionName);

    // Act
    const [report, b] = await Promise.all([run(), startOrQueue(world, 'web', SHA_B, push('d-b'))]);

    // Assess
    expect(['recovered', 'moved-on']).toContain(of(report, 'web')?.outcome);
    expect(b.status).toBe('started');
    expect((await world.store.active('web'))?.executionName).toBe(b.executionName);
    const history = await world.store.history('web', 10);
    expect(history.filter((e) => e.kind === 'finished' && e.outcome === 'lost')).toHaveLength(1);
    expect((await world.listExecutions()).filter((e) => e.status === 'RUNNING').map((e) => e.name)).toEqual([b.executionName]);
  });

  it('ignores an event that is not its schedule, changing nothing', async () => {
    // Prepare
    const a = await startedLongAgo('web');
    await endsWithoutReleasing(a.executionName);

    // Act
    const report = await sweep()({ source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change' }, lambdaContext());

    // Assess
    expect(report).toMatchObject({ outcome: 'ignored', reason: expect.stringContaining('not an EventBridge scheduled event') as string });
    expect((await world.store.active('web'))?.executionName).toBe(a.executionName);
  });
});
