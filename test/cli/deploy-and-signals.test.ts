// deploy, promote, rollback and abort through the real command line, against
// moto's Step Functions (a one-state machine stands in for the workflow: its
// executions run until stopped) and the store on dynalite.
import { ListExecutionsCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { createExecutions } from '../../functions/adapters/executions.ts';
import { startNext } from '../../functions/lib/dispatch.ts';
import type { Wait } from '../../functions/adapters/store.ts';
import { useWorld, type World } from './world.ts';

const world = useWorld({
  web: { type: 'blue-green' },
  idle: { type: 'blue-green' },
  shop: { type: 'header-canary' },
  cart: { type: 'header-canary' },
  jobs: { type: 'weighted-canary' },
  feed: { type: 'blue-green' },
  news: { type: 'blue-green' },
  docs: { type: 'blue-green' },
  blog: { type: 'blue-green' },
  pay: { type: 'blue-green' },
});

async function executionsOf(w: World, service: string) {
  const listed = await w.sfn.send(new ListExecutionsCommand({ stateMachineArn: w.stateMachineArn }));
  return (listed.executions ?? []).filter((e) => e.name?.startsWith(`${service}-`));
}

/** A deployment holding the lock and waiting in `kind`, as the workflow's Hold leaves it. */
async function waiting(w: World, service: string, kind: Wait['kind']): Promise<string> {
  const executionName = `${service}-2-0-0-held`;
  await w.store.claim(service, { executionName, version: '2.0.0', trigger: { kind: 'push', by: 'github:bob' } });
  await w.store.putWait(service, {
    executionArn: `${w.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`,
    token: `token-of-${service}`,
    kind,
    releaseNumber: 2,
    expiresAt: '2099-01-01T00:00:00.000Z',
  });
  return executionName;
}

describe('bluegreen deploy', () => {
  it('starts exactly one execution, and a second deploy while it runs is queued', async () => {
    // Prepare
    const w = world();

    // Act
    const first = await w.cli('deploy', 'web', '--version', '2.0.0');
    const second = await w.cli('deploy', 'web', '--version', '3.0.0');

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^started: web version 2\.0\.0, requested by cli:tester\n {2}execution web-2-0-0-[0-9a-f]{12}\n/);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^queued: web version 3\.0\.0, requested by cli:tester, starts when web-2-0-0-[0-9a-f]{12} \(version 2\.0\.0\) ends\n/);
    const executions = await executionsOf(w, 'web');
    expect(executions).toHaveLength(1);
    const active = await w.store.active('web');
    expect(active).toMatchObject({ version: '2.0.0', trigger: { kind: 'cli', by: 'cli:tester' }, queued: { version: '3.0.0' } });
    expect(executions[0]!.name).toBe(active!.executionName);
  });

  it('--request-id names the execution, so running the same command twice starts it once', async () => {
    // Prepare
    const w = world();

    // Act
    const first = await w.cli('deploy', 'docs', '--version', '4.0.0', '--request-id', 'ticket-42');
    const again = await w.cli('deploy', 'docs', '--version', '4.0.0', '--request-id', 'ticket-42');

    // Assess
    expect([first.code, again.code]).toEqual([0, 0]);
    expect(first.stdout).toContain('execution docs-4-0-0-ticket42\n');
    expect(again.stdout).toContain('execution docs-4-0-0-ticket42\n');
    expect((await executionsOf(w, 'docs')).map((e) => e.name)).toEqual(['docs-4-0-0-ticket42']);
  });

  it('--request-id run again after its execution ended starts nothing, keeps no lock and names the execution that deployed it', async () => {
    // Prepare: the first run's execution ends and releases the lock, as its Finish step does
    const w = world();
    const first = await w.cli('deploy', 'blog', '--version', '1.0.0', '--request-id', 'ticket-7');
    const [execution] = await executionsOf(w, 'blog');
    await w.sfn.send(new StopExecutionCommand({ executionArn: execution!.executionArn }));
    await startNext({ store: w.store, executions: createExecutions(w.sfn, w.stateMachineArn) }, 'blog', execution!.name!);

    // Act
    const again = await w.cli('deploy', 'blog', '--version', '1.0.0', '--request-id', 'ticket-7');

    // Assess
    expect(first.code).toBe(0);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('already handled: blog version 1.0.0: request ticket-7 was deployed by blog-1-0-0-ticket7, which ended ABORTED; nothing started\n');
    expect((await executionsOf(w, 'blog')).map((e) => e.name)).toEqual(['blog-1-0-0-ticket7']);
    expect(await w.store.active('blog')).toBeNull();
  });

  it('records the STS caller when USER is not set', async () => {
    // Act
    const result = await world().cliWithEnv({}, 'deploy', 'feed', '--version', '1.0.0');

    // Assess
    expect(result.code).toBe(0);
    // moto answers GetCallerIdentity as arn:aws:sts::123456789012:user/moto
    expect((await world().store.active('feed'))?.trigger.by).toBe('cli:moto');
  });

  it('--watch follows the execution and exits 1 when it does not succeed', async () => {
    // Prepare
    const w = world();
    const watching = w.cli('deploy', 'jobs', '--version', '2.0.0', '--watch', '--interval', '0.05');
    let started = await executionsOf(w, 'jobs');
    for (let i = 0; i < 100 && started.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      started = await executionsOf(w, 'jobs');
    }

    // Act
    await w.sfn.send(new StopExecutionCommand({ executionArn: started[0]!.executionArn, error: 'Stopped', cause: 'by the test' }));
    const result = await watching;

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`watching ${started[0]!.name} every 0.05s`);
    expect(result.stdout).toMatch(new RegExp(`${started[0]!.name} ABORTED`));
  });

  it('--watch follows a queued deployment from the queue until its execution runs and ends', async () => {
    // Prepare
    const w = world();
    const running = await w.cli('deploy', 'news', '--version', '1.0.0');
    const watching = w.cli('deploy', 'news', '--version', '2.0.0', '--watch', '--interval', '0.05');
    const queued = async () => (await w.store.active('news'))?.queued?.executionName;
    for (let i = 0; i < 100 && !(await queued()); i++) await new Promise((r) => setTimeout(r, 20));
    const next = (await queued())!;
    await new Promise((r) => setTimeout(r, 1000)); // twenty polls of the watcher see it queued, on a busy machine too

    // Act: the running deployment ends and hands over, as its Finish step does
    await w.sfn.send(new StopExecutionCommand({ executionArn: (await executionsOf(w, 'news'))[0]!.executionArn }));
    await startNext({ store: w.store, executions: createExecutions(w.sfn, w.stateMachineArn) }, 'news', running.stdout.match(/execution (\S+)/)![1]!);
    const handedOver = (await executionsOf(w, 'news')).find((e) => e.name === next)!;
    await w.sfn.send(new StopExecutionCommand({ executionArn: handedOver.executionArn }));
    const result = await watching;

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/queued behind news-1-0-0-\w+ \(version 1\.0\.0\)/);
    expect(result.stdout).toContain(`${next} ABORTED`);
  });
});

describe('bluegreen promote / rollback / abort', () => {
  it('promote with nothing to promote exits 1 with the named error and changes nothing', async () => {
    // Act
    const result = await world().cli('promote', 'idle');

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('bluegreen promote: NothingToPromote: idle: nothing to promote: no deployment of idle is running\n');
    expect(await world().store.history('idle', 10)).toEqual([]);
  });

  it('promote answers the open promotion wait once, as the CLI caller, with the reason', async () => {
    // Prepare
    const w = world();
    const executionName = await waiting(w, 'shop', 'promotion');

    // Act
    const first = await w.cli('promote', 'shop', '--reason', 'canary looks good');
    const again = await w.cli('promote', 'shop');

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`shop: promote sent to ${executionName}, which waited in promotion of release 2; follow it with bluegreen status shop\n`);
    expect((await w.store.getWait('shop'))?.taken).toMatchObject({ by: 'cli:tester', action: 'promote' });
    const [signal] = await w.store.history('shop', 1);
    expect(signal).toMatchObject({ kind: 'signal', action: 'promote', by: 'cli:tester', reason: 'canary looks good', executionName, releaseNumber: 2 });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^bluegreen promote: ConcurrentUpdate: shop: the promotion wait of release 2 was already taken by cli:tester \(promote\) at .*; nothing was sent\n$/);
  });

  it('promote is refused during retention (only a rollback makes sense then); rollback is accepted', async () => {
    // Prepare
    const w = world();
    await waiting(w, 'cart', 'retention');

    // Act
    const promoted = await w.cli('promote', 'cart');
    const rolledBack = await w.cli('rollback', 'cart');

    // Assess
    expect(promoted.code).toBe(1);
    expect(promoted.stderr).toBe('bluegreen promote: NothingToPromote: cart is waiting in retention of release 2: release 2 is live already; nothing to promote\n');
    expect((await w.store.history('cart', 10)).filter((e) => e.kind === 'signal').map((e) => e.action)).toEqual(['rollback']);
    expect(rolledBack.code).toBe(0);
    expect(rolledBack.stdout).toContain('cart: rollback sent to cart-2-0-0-held, which waited in retention of release 2');
  });

  it('abort while the workflow works records an abort request by the caller', async () => {
    // Prepare
    const w = world();
    await w.cli('deploy', 'idle', '--version', '5.0.0');

    // Act
    const result = await w.cli('abort', 'idle', '--reason', 'wrong build');

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^idle: abort requested for idle-5-0-0-[0-9a-f]{12} \(version 5\.0\.0\); it stops before its next step/);
    expect((await w.store.active('idle'))?.abort).toMatchObject({ by: 'cli:tester', reason: 'wrong build' });
  });

  it('abort --execution of a deployment that has ended exits 1 naming the one running and the option, and leaves it alone', async () => {
    // Prepare: the first deployment ended and handed the lock to the second
    const w = world();
    const first = (await w.cli('deploy', 'pay', '--version', '1.0.0')).stdout.match(/execution (\S+)/)![1]!;
    const second = (await w.cli('deploy', 'pay', '--version', '2.0.0')).stdout.match(/execution (\S+)/)![1]!;
    await startNext({ store: w.store, executions: createExecutions(w.sfn, w.stateMachineArn) }, 'pay', first);

    // Act
    const stale = await w.cli('abort', 'pay', '--execution', first, '--reason', 'wrong build');
    const named = await w.cli('abort', 'pay', '--execution', second);

    // Assess
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      `bluegreen abort: DeploymentEnded: pay: the deployment you aborted, ${first}, has ended; ${second} (version 2.0.0) is running now: abort it by name (bluegreen abort pay --execution ${second})\n`,
    );
    expect(named.code).toBe(0);
    expect(named.stdout).toContain(`pay: abort requested for ${second} (version 2.0.0)`);
    expect((await w.store.history('pay', 20)).filter((e) => e.kind === 'abort-requested').map((e) => [e.executionName, e.reason])).toEqual([[second, 'abort from the CLI']]);
  });
});
