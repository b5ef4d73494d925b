// status, plan and history against moto and dynalite, through the real
// command line: what an operator reads must match what AWS and the store hold,
// and reading must change nothing.
import { SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeListenersCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentRecord } from '../../cli/commands/history.ts';
import type { PlanView } from '../../cli/commands/plan.ts';
import type { StatusView } from '../../cli/commands/status.ts';
import type { WorkflowState } from '../../functions/steps/workflow-state.ts';
import { useWorld, type World } from './world.ts';

const world = useWorld({
  web: { type: 'header-canary' },
  shop: { type: 'header-canary' },
  api: { type: 'weighted-canary', steps: [10, 50, 100] },
  books: { type: 'blue-green' },
  fresh: { type: 'blue-green' },
  cart: { type: 'blue-green' },
});

/** Everything about a listener an operator could change by deploying. */
async function listenerSnapshot(w: World, service: string) {
  const listenerArn = w.infra[service]!.listenerArn;
  const [listener, rules, groups] = await Promise.all([
    w.elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })),
    w.elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn })),
    w.elbv2.send(new DescribeTargetGroupsCommand({})),
  ]);
  return {
    defaultActions: listener.Listeners?.[0]?.DefaultActions,
    rules: rules.Rules?.map((r) => ({ priority: r.Priority, conditions: r.Conditions, actions: r.Actions })),
    targetGroups: groups.TargetGroups?.map((g) => g.TargetGroupName).sort(),
  };
}

/** The lines of a section of the text output, from its heading to the next blank line. */
function section(output: string, heading: string): string[] {
  const lines = output.split('\n');
  const start = lines.findIndex((l) => l.startsWith(heading));
  if (start < 0) throw new Error(`no section "${heading}" in:\n${output}`);
  const end = lines.findIndex((l, i) => i > start && l.trim() === '');
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('bluegreen plan', () => {
  it('prints the exact listener writes of each phase and what a rollback writes, and changes nothing', async () => {
    // Prepare
    const w = world();
    await w.bringUp('web', '1.0.0');
    const before = await listenerSnapshot(w, 'web');

    // Act
    const result = await w.cli('plan', 'web', '--version', '2.0.0');

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(section(result.stdout, 'create release 2').slice(0, 1)).toEqual(['create release 2']);
    expect(result.stdout).toMatch(/target group\s+bg-web-2: HTTP:80 .*copied from release 1/);
    expect(result.stdout).toMatch(/auto scaling group\s+bg-web-2: min 1, desired 2, max 3 .*copied from release 1/);
    expect(section(result.stdout, 'listener changes')).toEqual([
      'listener changes',
      '  1. attach → provisioned',
      '       default → bg-web-1 (bg-web-2 attached)',
      '     then: health-check it at weight 0 until every desired target is healthy (up to 1m, else it is removed)',
      '     a rollback from here writes:',
      '       default → bg-web-1',
      '       then delete release 2',
      '  2. shift → canary',
      '       set rule 10 (x-client-mode: green) → bg-web-2',
      '     then: wait up to 1d for promote or rollback (on timeout: rollback)',
      '     a rollback from here writes:',
      '       default → bg-web-1',
      '       set rule 10 (x-client-mode: green) → fixed 404',
      '       then delete release 2',
      '  3. promote → promoted',
      '       default → bg-web-2 (bg-web-1 attached)',
      '       set rule 10 (x-client-mode: green) → fixed 404',
      '       set rule 11 (x-client-mode: blue) → bg-web-2',
      '     then: keep the old release 1h for a fast rollback, then retire it',
      '     a rollback from here writes:',
      '       (first restore release 1 to serve)',
      '       default → bg-web-1',
      '       set rule 11 (x-client-mode: blue) → bg-web-1',
      '       then delete release 2',
    ]);
    expect(result.stdout).toContain('quota: 2 rule(s) on the load balancer (limit 100); this deployment adds at most 0');
    expect(await listenerSnapshot(w, 'web')).toEqual(before);
  });

  it('--json gives every phase of a weighted canary with its writes, the release to create and the quota', async () => {
    // Prepare
    const w = world();
    await w.bringUp('api', '1.0.0');

    // Act
    const result = await w.cli('plan', 'api', '--version', '2.0.0', '--json');

    // Assess
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout) as PlanView;
    expect(view.current).toMatchObject({ phase: 'stable', live: { number: 1, version: '1.0.0', targetGroup: 'bg-api-1' } });
    expect(view.create).toMatchObject({
      release: 2,
      targetGroup: 'bg-api-2',
      autoScalingGroup: 'bg-api-2',
      copiedFrom: { number: 1 },
      capacity: { min: 1, desired: 2, max: 3 },
      alarms: ['bg-api-2-5xx', 'bg-api-2-unhealthy', 'bg-api-2-latency'],
    });
    expect(view.phases.map((p) => [p.command, p.phase, p.canaryWeight, p.changes, p.rollback?.changes])).toEqual([
      ['attach', 'provisioned', 0, ['default → bg-api-1 (bg-api-2 attached)'], ['default → bg-api-1']],
      ['shift', 'canary', 10, ['default → bg-api-1:90 + bg-api-2:10'], ['default → bg-api-1']],
      ['advance', 'canary', 50, ['default → bg-api-1:50 + bg-api-2:50'], ['default → bg-api-1']],
      ['advance', 'promoted', 0, ['default → bg-api-2 (bg-api-1 attached)'], ['default → bg-api-1']],
    ]);
    const defaultForward = (live: number, candidate: number) => [
      {
        kind: 'modify-default',
        action: {
          type: 'forward',
          targets: [
            { targetGroupArn: expect.stringContaining('targetgroup/bg-api-1/') as unknown, weight: live },
            { targetGroupArn: '(planned):targetgroup/bg-api-2', weight: candidate },
          ],
        },
      },
    ];
    expect(view.phases[0]!.writes).toEqual(defaultForward(100, 0));
    expect(view.phases[0]!.hold).toEqual({ kind: 'health', seconds: 60, onTimeout: 'abort' });
    expect(view.phases[1]!.writes).toEqual(defaultForward(90, 10));
    expect(view.quota).toEqual({ rulesOnLoadBalancer: 0, limit: 100, maxAddedRules: 0 });
  });

  it('refuses a version that is already live with the named error', async () => {
    // Prepare
    const w = world();
    await w.bringUp('books', '1.0.0');

    // Act
    const result = await w.cli('plan', 'books', '--version', '1.0.0');

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe('bluegreen plan: VersionAlreadyLive: books: version 1.0.0 is already live (release 1)\n');
  });
});

describe('bluegreen status of a header canary waiting for promotion', () => {
  const executionName = 'shop-2-0-0-run1';

  beforeAll(async () => {
    const w = world();
    await w.bringUp('shop', '1.0.0');
    await w.bringUp('shop', '2.0.0');
    await w.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: 'bg-shop-2-5xx', StateValue: 'ALARM', StateReason: 'Threshold Crossed: 7 errors' }));
    await w.sfn.send(new StartExecutionCommand({ stateMachineArn: w.stateMachineArn, name: executionName, input: '{}' }));
    await w.store.claim('shop', { executionName, version: '2.0.0', trigger: { kind: 'cli', by: 'cli:alice' } });
    await w.store.claim('shop', { executionName: 'shop-3-0-0-run2', version: '3.0.0', trigger: { kind: 'push', by: 'github:bob' } });
    await w.store.putWait('shop', {
      executionArn: `${w.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`,
      token: 'task-token-never-shown',
      kind: 'promotion',
      releaseNumber: 2,
      expiresAt: '2099-01-01T00:00:00.000Z',
    });
  });

  it('shows the live release, the candidate, the rules, health, alarms and the deployment', async () => {
    // Act
    const result = await world().cli('status', 'shop');

    // Assess
    expect(result.code).toBe(0);
    expect(section(result.stdout, 'releases')).toEqual([
      'releases',
      '  RELEASE  ROLE       VERSION  TARGET GROUP  TRAFFIC                                            HEALTH',
      '  1        live       1.0.0    bg-shop-1     default 100%, x-client-mode: blue                  2/2 healthy',
      '  2        candidate  2.0.0    bg-shop-2     default attached (weight 0), x-client-mode: green  2/2 healthy',
    ]);
    expect(section(result.stdout, 'listener').slice(1)).toEqual([
      '  default                        → bg-shop-1 (bg-shop-2 attached)',
      '  rule 10  x-client-mode: green  → bg-shop-2',
      '  rule 11  x-client-mode: blue   → bg-shop-1',
    ]);
    expect(section(result.stdout, 'alarms')).toContainEqual(expect.stringMatching(/^ {2}bg-shop-2-5xx\s+ALARM\s+Threshold Crossed: 7 errors$/));
    const deployment = section(result.stdout, 'deployment').join('\n');
    expect(deployment).toMatch(/execution\s+shop-2-0-0-run1 \(RUNNING/);
    expect(deployment).toMatch(/version\s+2\.0\.0, requested by cli:alice \(cli\)/);
    expect(deployment).toMatch(/waiting\s+promotion of release 2 since .* until 2099-01-01T00:00:00Z/);
    expect(deployment).toMatch(/queued\s+version 3\.0\.0 by github:bob/);
    expect(result.stdout).not.toContain('task-token-never-shown');
  });

  it('--json carries the same facts', async () => {
    // Act
    const result = await world().cli('status', 'shop', '--json');

    // Assess
    expect(result.code).toBe(0);
    const view = JSON.parse(result.stdout) as StatusView;
    expect(view).toMatchObject({ service: 'shop', strategy: 'header-canary', phase: 'canary' });
    expect(view.releases.map((r) => [r.role, r.number, r.version, r.defaultWeight, r.defaultTrafficPercent, r.headerRoutes, r.health.ready])).toEqual([
      ['live', 1, '1.0.0', 100, 100, ['x-client-mode: blue'], true],
      ['candidate', 2, '2.0.0', 0, 0, ['x-client-mode: green'], true],
    ]);
    expect(view.listener.defaultAction).toEqual({
      type: 'forward',
      targets: [
        { targetGroupArn: view.releases[0]!.targetGroupArn, weight: 100 },
        { targetGroupArn: view.releases[1]!.targetGroupArn, weight: 0 },
      ],
    });
    expect(view.releases[1]!.alarms).toContainEqual({ name: 'bg-shop-2-5xx', state: 'ALARM', reason: 'Threshold Crossed: 7 errors' });
    expect(view.listener.rules.map((r) => [r.priority, r.values])).toEqual([
      [10, ['green']],
      [11, ['blue']],
    ]);
    expect(view.deployment).toMatchObject({
      executionName,
      version: '2.0.0',
      by: 'cli:alice',
      execution: { status: 'RUNNING' },
      wait: { kind: 'promotion', releaseNumber: 2, expiresAt: '2099-01-01T00:00:00.000Z' },
      queued: { version: '3.0.0', by: 'github:bob' },
      abort: null,
    });
    expect(result.stdout).not.toContain('task-token-never-shown');
  });

  it('names the configured services when the service is unknown, and exits 2', async () => {
    // Act
    const result = await world().cli('status', 'shopp');

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('bluegreen status: unknown service "shopp"; configured: web, shop, api, books, fresh, cart\n');
  });
});

describe('bluegreen status of a release attached at weight 0', () => {
  beforeAll(async () => {
    const w = world();
    // A first release attached for its health checks, before the health gate.
    let state: WorkflowState = { service: 'fresh', version: '1.0.0', trigger: { kind: 'cli', by: 'cli:tester' } };
    for (const name of ['prepare', 'createTargetGroup', 'createFleet', 'attachCandidate']) state = await w.step(name, state);
    // A promoted release, its predecessor retained for a one-write rollback.
    await w.bringUp('cart', '1.0.0');
    await w.bringUp('cart', '2.0.0');
  });

  it.each([
    [
      'a first release before its health gate',
      'fresh',
      'provisioned',
      [['candidate', 1, 0, 0, 'default attached (weight 0)']],
      '→ no traffic (bg-fresh-1 attached)',
    ],
    [
      'the previous release retained after a promotion',
      'cart',
      'promoted',
      [
        ['live', 2, 100, 100, 'default 100%'],
        ['previous', 1, 0, 0, 'default attached (weight 0)'],
      ],
      '→ bg-cart-2 (bg-cart-1 attached)',
    ],
  ] as const)('%s is health-checked but shown taking no traffic, its weight exact in --json', async (_case, service, phase, releases, defaultAction) => {
    // Act
    const [text, data] = await Promise.all([world().cli('status', service), world().cli('status', service, '--json')]);

    // Assess
    expect([text.code, data.code]).toEqual([0, 0]);
    const view = JSON.parse(data.stdout) as StatusView;
    expect(view.phase).toBe(phase);
    expect(view.releases.map((r) => [r.role, r.number, r.defaultWeight, r.defaultTrafficPercent, trafficColumn(text.stdout, r.number)])).toEqual(releases);
    expect(section(text.stdout, 'listener').slice(1)).toEqual([`  default    ${defaultAction}`]);
  });
});

/** The TRAFFIC cell of a release's row in the text status. */
function trafficColumn(output: string, release: number): string {
  const [heading, ...rows] = section(output, 'releases').slice(1);
  const start = heading!.indexOf('TRAFFIC');
  const end = heading!.indexOf('HEALTH');
  const row = rows.find((r) => r.trimStart().startsWith(`${release} `));
  if (!row) throw new Error(`no row for release ${release} in:\n${output}`);
  return row.slice(start, end).trim();
}

describe('bluegreen history', () => {
  beforeAll(async () => {
    const { store } = world();
    const events = [
      { kind: 'started', by: 'github:bob', at: '2025-05-01T10:00:00.000Z', executionName: 'books-1', version: '1.0.0' },
      { kind: 'finished', by: 'github:bob', at: '2025-05-01T10:12:03.000Z', executionName: 'books-1', version: '1.0.0', releaseNumber: 1, outcome: 'succeeded', durationMs: 723_000 },
      { kind: 'started', by: 'cli:alice', at: '2025-05-02T09:00:00.000Z', executionName: 'books-2', version: '2.0.0' },
      { kind: 'queued', by: 'github:carol', at: '2025-05-02T09:01:00.000Z', executionName: 'books-3', version: '3.0.0', reason: 'waiting for books-2' },
      { kind: 'signal', by: 'slack:U123', at: '2025-05-02T09:05:00.000Z', executionName: 'books-2', action: 'rollback', reason: 'errors in the canary', releaseNumber: 2 },
      { kind: 'finished', by: 'cli:alice', at: '2025-05-02T09:06:00.000Z', executionName: 'books-2', version: '2.0.0', releaseNumber: 2, outcome: 'rolled-back', durationMs: 360_000 },
      { kind: 'started', by: 'github:carol', at: '2025-05-02T09:06:01.000Z', executionName: 'books-3', version: '3.0.0' },
    ] as const;
    for (const event of events) await store.append('books', event);
  });

  it('lists deployments newest first with who, when, outcome, duration and the signals they got', async () => {
    // Act
    const result = await world().cli('history', 'books');

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'books: 3 most recent deployment(s), newest first',
      '  REQUESTED             VERSION  BY            OUTCOME      DURATION  RELEASE  EXECUTION',
      '  2025-05-02T09:01:00Z  3.0.0    github:carol  running      -         -        books-3',
      '  2025-05-02T09:00:00Z  2.0.0    cli:alice     rolled-back  6m        2        books-2',
      '      rollback by slack:U123 at 2025-05-02T09:05:00Z: errors in the canary',
      '  2025-05-01T10:00:00Z  1.0.0    github:bob    succeeded    12m 3s    1        books-1',
      '',
    ]);
  });

  it('--json with --limit gives that many deployments as data', async () => {
    // Act
    const result = await world().cli('history', 'books', '--limit', '2', '--json');

    // Assess
    expect(result.code).toBe(0);
    const { deployments } = JSON.parse(result.stdout) as { deployments: DeploymentRecord[] };
    expect(deployments.map((d) => [d.executionName, d.version, d.by, d.outcome, d.durationMs])).toEqual([
      ['books-3', '3.0.0', 'github:carol', 'running', null],
      ['books-2', '2.0.0', 'cli:alice', 'rolled-back', 360_000],
    ]);
    expect(deployments[1]!.signals).toEqual([{ action: 'rollback', by: 'slack:U123', at: '2025-05-02T09:05:00.000Z', reason: 'errors in the canary' }]);
  });
});
