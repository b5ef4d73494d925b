// The listener as the plan sees it, read from and written to a real ELBv2 API,
// plus what only a scripted client can show (pages, plain forwards, order).
import {
  CreateListenerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyRuleCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createTrafficRouter } from '../../functions/adapters/router.ts';
import { ConfigInvalid, ResourceNotFound } from '../../functions/core/errors.ts';
import type { Action, ListenerWrite } from '../../functions/core/model.ts';
import { seedInfrastructure, type SeededInfrastructure } from '../../local/seed.ts';
import { backends, useBackend, type AwsClients } from '../support/backends.ts';

const NO_RELEASE: Action = { type: 'fixed-response', statusCode: 503, contentType: 'text/plain', body: 'no release yet' };
const NOT_FOUND: Action = { type: 'fixed-response', statusCode: 404, contentType: 'text/plain', body: 'no green release' };

let seeds = 0;

async function prepare(aws: AwsClients): Promise<SeededInfrastructure & { blue: string; green: string }> {
  seeds += 1;
  const infra = await seedInfrastructure(aws, { name: `router-${seeds}` });
  const group = async (name: string) => {
    const created = await aws.elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 80, VpcId: infra.vpcId }));
    return created.TargetGroups![0]!.TargetGroupArn!;
  };
  return { ...infra, blue: await group(`bg-router${seeds}-1`), green: await group(`bg-router${seeds}-2`) };
}

const forward = (...targets: Array<[string, number]>): Extract<Action, { type: 'forward' }> => ({
  type: 'forward',
  targets: targets.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight })),
});

describe.each(backends)('TrafficRouter against $name', (backend) => {
  const clients = useBackend(backend);

  it('reads the seeded listener: a fixed 503 and no rules', async () => {
    // Prepare
    const aws = clients();
    const infra = await prepare(aws);

    // Act
    const view = await createTrafficRouter(aws.elbv2).readListener(infra.listenerArn);

    // Assess
    expect(view).toEqual({ listenerArn: infra.listenerArn, defaultAction: NO_RELEASE, rules: [] });
  });

  it('modifies the default action with weights and reads it back', async () => {
    // Prepare
    const aws = clients();
    const infra = await prepare(aws);
    const router = createTrafficRouter(aws.elbv2);

    // Act
    await router.applyWrites(infra.listenerArn, [{ kind: 'modify-default', action: forward([infra.blue, 90], [infra.green, 10]) }]);

    // Assess
    const view = await router.readListener(infra.listenerArn);
    expect(view.defaultAction).toEqual(forward([infra.blue, 90], [infra.green, 10]));
  });

  it('reads a sticky default forward set by hand, and keeps its stickiness through its next write', async () => {
    // Prepare: the user made the default forward sticky for 300 s.
    const aws = clients();
    const infra = await prepare(aws);
    const router = createTrafficRouter(aws.elbv2);
    await aws.elbv2.send(
      new ModifyListenerCommand({
        ListenerArn: infra.listenerArn,
        DefaultActions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: infra.blue, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 } } }],
      }),
    );

    // Act
    const read = await router.readListener(infra.listenerArn);
    await router.applyWrites(infra.listenerArn, [{ kind: 'modify-default', action: { ...forward([infra.blue, 90], [infra.green, 10]), stickiness: { durationSeconds: 300 } } }]);

    // Assess: as the plan sees it, and as ELBv2 keeps it.
    expect(read.defaultAction).toEqual({ ...forward([infra.blue, 1]), stickiness: { durationSeconds: 300 } });
    expect((await router.readListener(infra.listenerArn)).defaultAction).toEqual({ ...forward([infra.blue, 90], [infra.green, 10]), stickiness: { durationSeconds: 300 } });
    const rules = await aws.elbv2.send(new DescribeRulesCommand({ ListenerArn: infra.listenerArn }));
    expect(rules.Rules?.find((r) => r.IsDefault)?.Actions?.[0]?.ForwardConfig?.TargetGroupStickinessConfig).toEqual({ Enabled: true, DurationSeconds: 300 });
  });

  it('creates, modifies and deletes header rules', async () => {
    // Prepare
    const aws = clients();
    const infra = await prepare(aws);
    const router = createTrafficRouter(aws.elbv2);
    await router.applyWrites(infra.listenerArn, [
      { kind: 'create-rule', rule: { priority: 10, header: 'x-client-mode', values: ['green'], action: forward([infra.green, 1]) } },
      { kind: 'create-rule', rule: { priority: 11, header: 'x-client-mode', values: ['blue'], action: forward([infra.blue, 1]) } },
    ]);
    const created = await router.readListener(infra.listenerArn);
    const [green, blue] = created.rules;

    // Act
    await router.applyWrites(infra.listenerArn, [
      { kind: 'modify-rule', ruleArn: green!.ruleArn, rule: { priority: 10, header: 'x-client-mode', values: ['green'], action: NOT_FOUND } },
      { kind: 'delete-rule', ruleArn: blue!.ruleArn, priority: 11 },
    ]);

    // Assess
    expect(created.rules.map(({ ruleArn: _, ...rule }) => rule)).toEqual([
      { priority: 10, header: 'x-client-mode', values: ['green'], action: forward([infra.green, 1]), managed: true },
      { priority: 11, header: 'x-client-mode', values: ['blue'], action: forward([infra.blue, 1]), managed: true },
    ]);
    const after = await router.readListener(infra.listenerArn);
    expect(after.rules).toEqual([
      { ruleArn: green!.ruleArn, priority: 10, header: 'x-client-mode', values: ['green'], action: NOT_FOUND, managed: true },
    ]);
  });

  it('reads rules it does not manage as unmanaged and leaves them untouched', async () => {
    // Prepare: a path rule and a rule with two conditions, made by hand
    const aws = clients();
    const infra = await prepare(aws);
    const router = createTrafficRouter(aws.elbv2);
    const byHand = async (priority: number, conditions: Rule['Conditions']) =>
      (
        await aws.elbv2.send(
          new CreateRuleCommand({
            ListenerArn: infra.listenerArn,
            Priority: priority,
            Conditions: conditions,
            Actions: [{ Type: 'forward', TargetGroupArn: infra.blue }],
          }),
        )
      ).Rules![0]!;
    const pathRule = await byHand(5, [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } }]);
    const twoConditions = await byHand(6, [
      { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['green'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: ['/beta/*'] } },
    ]);

    // Act
    const view = await router.readListener(infra.listenerArn);
    await router.applyWrites(infra.listenerArn, [
      { kind: 'modify-default', action: forward([infra.green, 1]) },
      { kind: 'create-rule', rule: { priority: 10, header: 'x-client-mode', values: ['green'], action: forward([infra.green, 1]) } },
    ]);

    // Assess
    expect(view.rules.map((r) => [r.priority, r.managed])).toEqual([
      [5, false],
      [6, false],
    ]);
    const raw = await aws.elbv2.send(new DescribeRulesCommand({ RuleArns: [pathRule.RuleArn!, twoConditions.RuleArn!] }));
    const untouched = (raw.Rules ?? []).map((r) => ({ arn: r.RuleArn, priority: r.Priority, conditions: r.Conditions?.map((c) => c.Field) }));
    expect(untouched).toEqual(
      expect.arrayContaining([
        { arn: pathRule.RuleArn, priority: '5', conditions: ['path-pattern'] },
        { arn: twoConditions.RuleArn, priority: '6', conditions: ['http-header', 'path-pattern'] },
      ]),
    );
  });

  it('owns only the header rules it created: a hand-made rule on the same header is not its own', async () => {
    // Prepare: `x-client-mode: beta` made by hand; `x-client-mode: green` made by the router
    const aws = clients();
    const infra = await prepare(aws);
    const router = createTrafficRouter(aws.elbv2);
    await aws.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: infra.listenerArn,
        Priority: 5,
        Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['beta'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: infra.blue }],
      }),
    );
    await router.applyWrites(infra.listenerArn, [
      { kind: 'create-rule', rule: { priority: 10, header: 'x-client-mode', values: ['green'], action: forward([infra.green, 1]) } },
    ]);

    // Act
    const view = await router.readListener(infra.listenerArn);

    // Assess
    expect(view.rules.map((r) => [r.priority, r.values, r.managed])).toEqual([
      [5, ['beta'], false],
      [10, ['green'], true],
    ]);
  });

  it('counts the non-default rules of every listener of the load balancer', async () => {
    // Prepare: two rules on the seeded listener, one on a second listener
    const aws = clients();
    const infra = await prepare(aws);
    const router = createTrafficRouter(aws.elbv2);
    const rule = (priority: number) => ({ priority, header: 'x-client-mode', values: [`v${priority}`], action: forward([infra.blue, 1]) });
    await router.applyWrites(infra.listenerArn, [
      { kind: 'create-rule', rule: rule(10) },
      { kind: 'create-rule', rule: rule(11) },
    ]);
    const second = await aws.elbv2.send(
      new CreateListenerCommand({ LoadBalancerArn: infra.loadBalancerArn, Protocol: 'HTTP', Port: 8080, DefaultActions: [{ Type: 'forward', TargetGroupArn: infra.blue }] }),
    );
    await router.applyWrites(second.Listeners![0]!.ListenerArn!, [{ kind: 'create-rule', rule: rule(10) }]);

    // Act
    const count = await router.countRules(infra.loadBalancerArn);

    // Assess
    expect(count).toBe(3);
  });

  it('reports an unknown listener as ResourceNotFound', async () => {
    // Prepare
    const aws = clients();
    const infra = await prepare(aws);
    const unknown = infra.listenerArn.replace(/[0-9a-f]{16}$/, '0000000000000000');

    // Act
    const read = createTrafficRouter(aws.elbv2).readListener(unknown);

    // Assess
    await expect(read).rejects.toBeInstanceOf(ResourceNotFound);
  });
});

describe('TrafficRouter with a scripted ELBv2 client', () => {
  const client = new ElasticLoadBalancingV2Client({ region: 'us-east-1' });
  const elb = mockClient(client);
  const listenerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
  const blue = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bg-shop-1/73e2d6bc24d8a067';
  const green = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bg-shop-2/2453ed029918f21f';
  const defaultRule = (actions: Rule['Actions']): Rule => ({ RuleArn: 'default', Priority: 'default', IsDefault: true, Conditions: [], Actions: actions });
  const headerRule = (n: number, extra: Partial<Rule> = {}): Rule => ({
    RuleArn: `${listenerArn.replace(':listener/', ':listener-rule/')}/rule${n}`,
    Priority: String(n),
    IsDefault: false,
    Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: [`v${n}`] } }],
    Actions: [{ Type: 'forward', TargetGroupArn: blue }],
    ...extra,
  });

  beforeEach(() => {
    elb.reset();
  });

  it('reads every page of rules, in priority order, and a plain forward as weight 1', async () => {
    // Prepare
    elb
      .on(DescribeRulesCommand, { ListenerArn: listenerArn, Marker: undefined })
      .resolves({ Rules: [headerRule(30), defaultRule([{ Type: 'forward', TargetGroupArn: blue }])], NextMarker: 'page-2' })
      .on(DescribeRulesCommand, { ListenerArn: listenerArn, Marker: 'page-2' })
      .resolves({ Rules: [headerRule(20)] })
      .on(DescribeTagsCommand)
      .resolves({ TagDescriptions: [20, 30].map((n) => ({ ResourceArn: headerRule(n).RuleArn, Tags: [{ Key: 'bluegreen:managed-by', Value: 'bluegreen' }] })) });

    // Act
    const view = await createTrafficRouter(client).readListener(listenerArn);

    // Assess
    expect(view.defaultAction).toEqual(forward([blue, 1]));
    expect(view.rules.map((r) => [r.priority, r.managed, r.action])).toEqual([
      [20, true, forward([blue, 1])],
      [30, true, forward([blue, 1])],
    ]);
  });

  it('asks who made the header rules only, 20 rules a call; a listener without header rules is one call', async () => {
    // Prepare: 25 header rules (every third made by bluegreen) and a path rule
    const path: Rule = { ...headerRule(99), Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } }] };
    const header = Array.from({ length: 25 }, (_, i) => headerRule(i + 1));
    elb
      .on(DescribeRulesCommand, { ListenerArn: listenerArn })
      .resolves({ Rules: [...header, path, defaultRule([{ Type: 'forward', TargetGroupArn: blue }])] })
      .on(DescribeRulesCommand, { ListenerArn: 'bare' })
      .resolves({ Rules: [path, defaultRule([{ Type: 'forward', TargetGroupArn: blue }])] })
      .on(DescribeTagsCommand)
      .callsFake((input: { ResourceArns: string[] }) => ({
        TagDescriptions: input.ResourceArns.map((arn) => ({
          ResourceArn: arn,
          Tags: Number(arn.split('rule').pop()) % 3 === 0 ? [{ Key: 'bluegreen:managed-by', Value: 'bluegreen' }] : [{ Key: 'team', Value: 'web' }],
        })),
      }));
    const router = createTrafficRouter(client);

    // Act
    const view = await router.readListener(listenerArn);
    const asked = elb.commandCalls(DescribeTagsCommand).map((c) => c.args[0].input.ResourceArns?.length);
    elb.resetHistory();
    await router.readListener('bare');

    // Assess
    expect(view.rules.filter((r) => r.managed).map((r) => r.priority)).toEqual([3, 6, 9, 12, 15, 18, 21, 24]);
    expect(asked).toEqual([20, 5]);
    expect(elb.calls().map((c) => c.args[0].constructor.name)).toEqual([DescribeRulesCommand.name]);
  });

  it.each([
    { title: 'a redirect', actions: [{ Type: 'redirect' as const, RedirectConfig: { StatusCode: 'HTTP_301' as const } }] },
    {
      title: 'an authenticate step before the forward',
      actions: [
        { Type: 'authenticate-cognito' as const, Order: 1 },
        { Type: 'forward' as const, TargetGroupArn: blue, Order: 2 },
      ],
    },
  ])('marks a header rule with $title unmanaged', async ({ actions }) => {
    // Prepare
    elb.on(DescribeRulesCommand).resolves({ Rules: [headerRule(10, { Actions: actions }), defaultRule([{ Type: 'forward', TargetGroupArn: blue }])] });

    // Act
    const view = await createTrafficRouter(client).readListener(listenerArn);

    // Assess
    expect(view.rules.map((r) => r.managed)).toEqual([false]);
  });

  it('refuses a listener whose default action it could not write back', async () => {
    // Prepare: writing only the forward would drop the authentication
    elb.on(DescribeRulesCommand).resolves({
      Rules: [
        defaultRule([
          { Type: 'authenticate-oidc', Order: 1 },
          { Type: 'forward', TargetGroupArn: blue, Order: 2 },
        ]),
      ],
    });

    // Act
    const read = createTrafficRouter(client).readListener(listenerArn);

    // Assess
    await expect(read).rejects.toBeInstanceOf(ConfigInvalid);
    await expect(read).rejects.toThrow('authenticate-oidc + forward');
  });

  it('applies the writes in the given order, forwards always with weights', async () => {
    // Prepare
    elb.onAnyCommand().resolves({});
    const rule = { priority: 10, header: 'x-client-mode', values: ['green'] };
    const writes: ListenerWrite[] = [
      { kind: 'delete-rule', ruleArn: 'rule-11', priority: 11 },
      { kind: 'modify-rule', ruleArn: 'rule-10', rule: { ...rule, action: NOT_FOUND } },
      { kind: 'modify-default', action: forward([blue, 50], [green, 50]) },
      { kind: 'create-rule', rule: { ...rule, priority: 12, action: forward([green, 1]) } },
    ];

    // Act
    await createTrafficRouter(client).applyWrites(listenerArn, writes);

    // Assess
    const sent = elb.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
    const header = [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['green'] } }];
    expect(sent).toEqual([
      [DeleteRuleCommand.name, { RuleArn: 'rule-11' }],
      [
        ModifyRuleCommand.name,
        {
          RuleArn: 'rule-10',
          Conditions: header,
          Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no green release' } }],
        },
      ],
      [
        ModifyListenerCommand.name,
        {
          ListenerArn: listenerArn,
          DefaultActions: [
            {
              Type: 'forward',
              ForwardConfig: {
                TargetGroups: [
                  { TargetGroupArn: blue, Weight: 50 },
                  { TargetGroupArn: green, Weight: 50 },
                ],
              },
            },
          ],
        },
      ],
      [
        CreateRuleCommand.name,
        {
          ListenerArn: listenerArn,
          Priority: 12,
          Tags: [{ Key: 'bluegreen:managed-by', Value: 'bluegreen' }],
          Conditions: header,
          Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: green, Weight: 1 }] } }],
        },
      ],
    ]);
  });
});
