// The control plane of the local cloud through the real AWS SDK v3 clients:
// each service answers in its own protocol, validates as AWS does, raises the
// SDK exception AWS would, counts every call and fails on demand.
import {
  AutoScalingClient,
  CreateAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateLaunchTemplateCommand,
  CreateLaunchTemplateVersionCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeLaunchTemplateVersionsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeleteRuleCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  ModifyRuleCommand,
  ModifyTargetGroupAttributesCommand,
  SetRulePrioritiesCommand,
  paginateDescribeTargetGroups,
  type Action,
  type CreateRuleCommandInput,
  type RuleCondition,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type CloudEvent, type LocalCloud } from '../../local/cloud/local-cloud.ts';

let cloud: LocalCloud;
let elbv2: ElasticLoadBalancingV2Client;
let autoScaling: AutoScalingClient;
let ec2: EC2Client;
let cloudWatch: CloudWatchClient;
let vpcId: string;
let subnetIds: string[];
let launchTemplateId: string;

beforeAll(async () => {
  cloud = await startLocalCloud({ timeScale: 0.01 });
  const config = { ...cloud.clientConfig(), maxAttempts: 1 };
  elbv2 = new ElasticLoadBalancingV2Client(config);
  autoScaling = new AutoScalingClient(config);
  ec2 = new EC2Client(config);
  cloudWatch = new CloudWatchClient(config);
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!.VpcId!;
  subnetIds = [];
  for (const [i, zone] of ['us-east-1a', 'us-east-1b'].entries()) {
    const subnet = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.0.${i}.0/24`, AvailabilityZone: zone }));
    subnetIds.push(subnet.Subnet!.SubnetId!);
  }
  const template = await ec2.send(
    new CreateLaunchTemplateCommand({ LaunchTemplateName: 'api-test', LaunchTemplateData: { ImageId: 'ami-1', UserData: base64('#!/bin/bash\nexport APP_VERSION=1.0\n') } }),
  );
  launchTemplateId = template.LaunchTemplate!.LaunchTemplateId!;
});

afterAll(async () => {
  for (const client of [elbv2, autoScaling, ec2, cloudWatch]) client?.destroy();
  await cloud?.stop();
});

function base64(text: string): string {
  return Buffer.from(text).toString('base64');
}

/** The SDK exception a call raises (its `name`), or `resolved`. */
async function failure(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'resolved';
  } catch (error) {
    return (error as Error).name;
  }
}

async function loadBalancer(name: string): Promise<string> {
  const created = await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds }));
  return created.LoadBalancers![0]!.LoadBalancerArn!;
}

async function targetGroup(name: string, port = 80): Promise<string> {
  const created = await elbv2.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: port, VpcId: vpcId }));
  return created.TargetGroups![0]!.TargetGroupArn!;
}

async function listener(loadBalancerArn: string, defaultTargetGroupArn: string, port = 80): Promise<string> {
  const created = await elbv2.send(
    new CreateListenerCommand({ LoadBalancerArn: loadBalancerArn, Port: port, Protocol: 'HTTP', DefaultActions: [{ Type: 'forward', TargetGroupArn: defaultTargetGroupArn }] }),
  );
  return created.Listeners![0]!.ListenerArn!;
}

const greenHeader: RuleCondition[] = [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['green'] } }];
const notFound: Action[] = [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no release' } }];

describe('protocols', () => {
  it('answers EC2, ELBv2, Auto Scaling and CloudWatch in their own wire formats', async () => {
    // Act
    const subnets = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }));
    const versions = await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ['$Latest'] }));
    const lb = await elbv2.send(new CreateLoadBalancerCommand({ Name: 'protocols', Subnets: subnetIds, Tags: [{ Key: 'team', Value: 'a<b&"c"' }] }));
    const tags = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [lb.LoadBalancers![0]!.LoadBalancerArn!] }));
    const groups = await autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
    await cloudWatch.send(new PutMetricAlarmCommand({ AlarmName: 'protocols', Namespace: 'AWS/ApplicationELB', MetricName: 'RequestCount', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));
    const alarms = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['protocols'] }));

    // Assess
    expect(subnets.Subnets?.map((s) => s.AvailabilityZone).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    expect(Buffer.from(versions.LaunchTemplateVersions![0]!.LaunchTemplateData!.UserData!, 'base64').toString()).toContain('export APP_VERSION=1.0');
    expect(lb.LoadBalancers![0]).toMatchObject({ LoadBalancerName: 'protocols', VpcId: vpcId, State: { Code: 'active' }, Type: 'application' });
    expect(lb.LoadBalancers![0]!.LoadBalancerArn).toMatch(/^arn:aws:elasticloadbalancing:us-east-1:\d{12}:loadbalancer\/app\/protocols\/[0-9a-f]{16}$/);
    expect(lb.LoadBalancers![0]!.CreatedTime).toBeInstanceOf(Date);
    expect(tags.TagDescriptions![0]!.Tags).toEqual([{ Key: 'team', Value: 'a<b&"c"' }]);
    expect(groups.AutoScalingGroups).toEqual([]);
    expect(alarms.MetricAlarms![0]).toMatchObject({ AlarmName: 'protocols', StateValue: 'INSUFFICIENT_DATA', Period: 60 });
    expect(alarms.MetricAlarms![0]!.AlarmConfigurationUpdatedTimestamp).toBeInstanceOf(Date);
  });
});

describe('ELBv2 validation', () => {
  let lbArn: string;
  let tgArn: string;
  let listenerArn: string;

  beforeAll(async () => {
    lbArn = await loadBalancer('validation');
    tgArn = await targetGroup('validation-1');
    listenerArn = await listener(lbArn, tgArn);
    await elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 10, Conditions: greenHeader, Actions: notFound }));
  });

  const forwardTo = (...arns: string[]): Action[] => [{ Type: 'forward', ForwardConfig: { TargetGroups: arns.map((TargetGroupArn) => ({ TargetGroupArn, Weight: 1 })) } }];

  it.each<{ name: string; rule: () => Omit<CreateRuleCommandInput, 'ListenerArn'>; error: string }>([
    { name: 'a priority already used on the listener', rule: () => ({ Priority: 10, Conditions: greenHeader, Actions: notFound }), error: 'PriorityInUseException' },
    { name: 'a priority out of 1–50000', rule: () => ({ Priority: 50_001, Conditions: greenHeader, Actions: notFound }), error: 'ValidationError' },
    { name: 'a header value over 128 characters', rule: () => ({ Priority: 11, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['g'.repeat(129)] } }], Actions: notFound }), error: 'ValidationError' },
    { name: 'more than 5 condition values', rule: () => ({ Priority: 11, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x', Values: ['1', '2', '3', '4', '5', '6'] } }], Actions: notFound }), error: 'ValidationError' },
    { name: 'no condition', rule: () => ({ Priority: 11, Conditions: [], Actions: notFound }), error: 'ValidationError' },
    { name: 'a weight over 999', rule: () => ({ Priority: 11, Conditions: greenHeader, Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1000 }] } }] }), error: 'ValidationError' },
    { name: 'an unknown target group', rule: () => ({ Priority: 11, Conditions: greenHeader, Actions: forwardTo(tgArn.replace(/[0-9a-f]{16}$/, '0000000000000000')) }), error: 'TargetGroupNotFoundException' },
    { name: 'a fixed response status that is not 2XX/4XX/5XX', rule: () => ({ Priority: 11, Conditions: greenHeader, Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '302' } }] }), error: 'ValidationError' },
  ])('refuses a rule with $name', async ({ rule, error }) => {
    // Act
    const name = await failure(elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, ...rule() })));

    // Assess
    expect(name).toBe(error);
  });

  it('refuses a forward to more than 5 target groups, and accepts 5', async () => {
    // Prepare
    const arns = await Promise.all([2, 3, 4, 5, 6, 7].map((n) => targetGroup(`validation-${n}`)));

    // Act
    const six = await failure(elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 20, Conditions: greenHeader, Actions: forwardTo(...arns) })));
    const five = await failure(elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 20, Conditions: greenHeader, Actions: forwardTo(...arns.slice(0, 5)) })));

    // Assess
    expect(six).toBe('ValidationError');
    expect(five).toBe('resolved');
  });

  it('keeps the default rule: its conditions cannot change and it cannot be deleted', async () => {
    // Prepare
    const rules = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const defaultRule = rules.Rules!.find((r) => r.IsDefault)!;

    // Act
    const modify = await failure(elbv2.send(new ModifyRuleCommand({ RuleArn: defaultRule.RuleArn, Conditions: greenHeader })));
    const remove = await failure(elbv2.send(new DeleteRuleCommand({ RuleArn: defaultRule.RuleArn })));

    // Assess
    expect(defaultRule).toMatchObject({ Priority: 'default', Conditions: [] });
    expect(modify).toBe('OperationNotPermittedException');
    expect(remove).toBe('OperationNotPermittedException');
  });

  it('refuses to delete a target group a listener forwards to, and deletes it once unused (a minute on: test/local/cloud-target-group-release.test.ts)', async () => {
    // Prepare
    const arn = await targetGroup('in-use');
    const rule = await elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 30, Conditions: greenHeader, Actions: forwardTo(arn) }));

    // Act
    const whileUsed = await failure(elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })));
    await elbv2.send(new DeleteRuleCommand({ RuleArn: rule.Rules![0]!.RuleArn }));
    await new Promise((r) => setTimeout(r, cloud.realMs(60)));
    const afterwards = await failure(elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: arn })));

    // Assess
    expect(whileUsed).toBe('ResourceInUseException');
    expect(afterwards).toBe('resolved');
  });

  it('creates a target group idempotently by name, and refuses the name with other settings', async () => {
    // Act
    const first = await targetGroup('idempotent', 80);
    const again = await targetGroup('idempotent', 80);
    const other = await failure(targetGroup('idempotent', 8080));

    // Assess
    expect(again).toBe(first);
    expect(other).toBe('DuplicateTargetGroupNameException');
  });

  it('swaps rule priorities at once and refuses a swap that would collide', async () => {
    // Prepare
    const a = await elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 40, Conditions: greenHeader, Actions: notFound }));
    const b = await elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 41, Conditions: greenHeader, Actions: notFound }));
    const aArn = a.Rules![0]!.RuleArn!;
    const bArn = b.Rules![0]!.RuleArn!;

    // Act
    await elbv2.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: aArn, Priority: 41 }, { RuleArn: bArn, Priority: 40 }] }));
    const collision = await failure(elbv2.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: aArn, Priority: 10 }] })));

    // Assess
    const rules = (await elbv2.send(new DescribeRulesCommand({ RuleArns: [aArn, bArn] }))).Rules!;
    expect(rules.map((r) => [r.RuleArn, r.Priority])).toEqual([
      [aArn, '41'],
      [bArn, '40'],
    ]);
    expect(collision).toBe('PriorityInUseException');
  });

  it('refuses an unknown target group attribute and changes nothing', async () => {
    // Act
    const name = await failure(
      elbv2.send(
        new ModifyTargetGroupAttributesCommand({
          TargetGroupArn: tgArn,
          Attributes: [
            { Key: 'deregistration_delay.timeout_seconds', Value: '5' },
            { Key: 'no.such.attribute', Value: '1' },
          ],
        }),
      ),
    );

    // Assess
    expect(name).toBe('ValidationError');
  });

  it('refuses a load balancer in fewer than two availability zones', async () => {
    expect(await failure(elbv2.send(new CreateLoadBalancerCommand({ Name: 'one-zone', Subnets: [subnetIds[0]!] })))).toBe('ValidationError');
  });
});

describe('ELBv2 limits and pagination', () => {
  it('allows 100 rules per load balancer and refuses the 101st with TooManyRules', async () => {
    // Prepare
    const lbArn = await loadBalancer('rule-limit');
    const listenerArn = await listener(lbArn, await targetGroup('rule-limit'));
    for (let priority = 1; priority <= 100; priority++) {
      await elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: priority, Conditions: greenHeader, Actions: notFound }));
    }

    // Act
    const name = await failure(elbv2.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 101, Conditions: greenHeader, Actions: notFound })));

    // Assess
    expect(name).toBe('TooManyRulesException');
  });

  it('pages DescribeTargetGroups with Marker and filters by load balancer', async () => {
    // Prepare
    const lbArn = await loadBalancer('paging');
    const arns = await Promise.all(['paging-1', 'paging-2', 'paging-3', 'paging-4', 'paging-5'].map((n) => targetGroup(n)));
    await listener(lbArn, arns[0]!);

    // Act
    const pages: string[][] = [];
    for await (const page of paginateDescribeTargetGroups({ client: elbv2 }, { PageSize: 2, Names: ['paging-1', 'paging-2', 'paging-3', 'paging-4', 'paging-5'] })) {
      pages.push(page.TargetGroups!.map((t) => t.TargetGroupName!));
    }
    const byLoadBalancer = [];
    for await (const page of paginateDescribeTargetGroups({ client: elbv2 }, { LoadBalancerArn: lbArn })) byLoadBalancer.push(...page.TargetGroups!);

    // Assess
    expect(pages).toEqual([['paging-1', 'paging-2'], ['paging-3', 'paging-4'], ['paging-5']]);
    expect(byLoadBalancer.map((t) => t.TargetGroupArn)).toEqual([arns[0]]);
    expect(byLoadBalancer[0]!.LoadBalancerArns).toEqual([lbArn]);
  });
});

describe('EC2 launch templates', () => {
  it('keeps numbered versions; a new version from a source version keeps what it does not change', async () => {
    // Act
    const created = await ec2.send(
      new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: launchTemplateId, SourceVersion: '1', LaunchTemplateData: { UserData: base64("#!/bin/bash\nexport APP_VERSION='2.0'\n") } }),
    );
    const [latest, byDefault] = await Promise.all(
      ['$Latest', '$Default'].map(async (v) => (await ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: [v] }))).LaunchTemplateVersions![0]!),
    );

    // Assess
    expect(created.LaunchTemplateVersion?.VersionNumber).toBe(2);
    expect(latest).toMatchObject({ VersionNumber: 2, DefaultVersion: false, LaunchTemplateData: { ImageId: 'ami-1' } });
    expect(Buffer.from(latest!.LaunchTemplateData!.UserData!, 'base64').toString()).toContain("APP_VERSION='2.0'");
    expect(byDefault).toMatchObject({ VersionNumber: 1, DefaultVersion: true });
  });

  it.each([
    { name: 'user data that is not base64', call: () => ec2.send(new CreateLaunchTemplateVersionCommand({ LaunchTemplateId: launchTemplateId, LaunchTemplateData: { UserData: 'not base64!' } })), error: 'InvalidUserData.Malformed' },
    { name: 'an unknown template', call: () => ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: 'lt-0123456789abcdef0' })), error: 'InvalidLaunchTemplateId.NotFound' },
    { name: 'an unknown version', call: () => ec2.send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: launchTemplateId, Versions: ['99'] })), error: 'InvalidLaunchTemplateId.VersionNotFound' },
    { name: 'a duplicate name', call: () => ec2.send(new CreateLaunchTemplateCommand({ LaunchTemplateName: 'api-test', LaunchTemplateData: { ImageId: 'ami-2' } })), error: 'InvalidLaunchTemplateName.AlreadyExistsException' },
    { name: 'a subnet outside its VPC range', call: () => ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '192.168.0.0/24' })), error: 'InvalidSubnet.Range' },
  ])('refuses $name with $error', async ({ call, error }) => {
    expect(await failure(call())).toBe(error);
  });
});

describe('Auto Scaling validation', () => {
  const group = (name: string, sizes: { MinSize: number; MaxSize: number; DesiredCapacity?: number }, launchTemplate = launchTemplateId) =>
    new CreateAutoScalingGroupCommand({ AutoScalingGroupName: name, LaunchTemplate: { LaunchTemplateId: launchTemplate, Version: '1' }, VPCZoneIdentifier: subnetIds.join(','), ...sizes });

  it.each([
    { name: 'desired above max', command: () => group('too-many', { MinSize: 0, MaxSize: 2, DesiredCapacity: 3 }), error: 'ValidationError' },
    { name: 'min above max', command: () => group('inverted', { MinSize: 3, MaxSize: 2 }), error: 'ValidationError' },
    { name: 'an unknown launch template', command: () => group('no-template', { MinSize: 0, MaxSize: 1 }, 'lt-0123456789abcdef0'), error: 'ValidationError' },
  ])('refuses a group with $name', async ({ command, error }) => {
    expect(await failure(autoScaling.send(command()))).toBe(error);
  });

  it('refuses a second group of the same name, and an update of an unknown group says "not found"', async () => {
    // Prepare
    await autoScaling.send(group('empty', { MinSize: 0, MaxSize: 2, DesiredCapacity: 0 }));

    // Act
    const duplicate = await failure(autoScaling.send(group('empty', { MinSize: 0, MaxSize: 2, DesiredCapacity: 0 })));
    const unknown = await autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'nobody', MaxSize: 3 })).catch((e: Error) => e);

    // Assess
    expect(duplicate).toBe('AlreadyExistsFault');
    expect(unknown).toMatchObject({ name: 'ValidationError', message: expect.stringMatching(/not found/) as unknown });
  });
});

function put(name: string, tags: { Key: string; Value: string }[] = []) {
  return cloudWatch.send(
    new PutMetricAlarmCommand({ AlarmName: name, Namespace: 'AWS/ApplicationELB', MetricName: 'HTTPCode_Target_5XX_Count', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching', Tags: tags }),
  );
}

describe('CloudWatch', () => {
  it('describes alarms by names and by prefix, keeps their tags, deletes them', async () => {
    // Prepare
    await put('bg-shop-2-http5xx', [{ Key: 'bluegreen:service', Value: 'shop' }]);
    await put('bg-shop-2-latency');
    await put('bg-shop-3-http5xx');

    // Act
    const byPrefix = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'bg-shop-2-' }));
    const byName = await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: ['bg-shop-3-http5xx'] }));
    const tags = await cloudWatch.send(new ListTagsForResourceCommand({ ResourceARN: byPrefix.MetricAlarms![0]!.AlarmArn }));
    await cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: ['bg-shop-2-http5xx', 'bg-shop-2-latency'] }));
    const missing = await failure(cloudWatch.send(new DeleteAlarmsCommand({ AlarmNames: ['bg-shop-2-http5xx'] })));

    // Assess
    expect(byPrefix.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['bg-shop-2-http5xx', 'bg-shop-2-latency']);
    expect(byName.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['bg-shop-3-http5xx']);
    expect(tags.Tags).toEqual([{ Key: 'bluegreen:service', Value: 'shop' }]);
    expect((await cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'bg-shop-2-' }))).MetricAlarms).toEqual([]);
    expect(missing).toBe('ResourceNotFound');
  });

  it('sends an EventBridge "CloudWatch Alarm State Change" event when SetAlarmState changes the state', async () => {
    // Prepare
    await put('set-state');
    const events: CloudEvent[] = [];
    const off = cloud.onEvent((event) => {
      events.push(event);
    });

    // Act
    await cloudWatch.send(new SetAlarmStateCommand({ AlarmName: 'set-state', StateValue: 'ALARM', StateReason: 'operator test' }));
    await cloud.eventsDelivered();
    off();

    // Assess
    const event = events.find((e) => (e.detail as { alarmName: string }).alarmName === 'set-state');
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'CloudWatch Alarm State Change',
      source: 'aws.cloudwatch',
      account: expect.stringMatching(/^\d{12}$/) as unknown,
      region: 'us-east-1',
      resources: [expect.stringMatching(/^arn:aws:cloudwatch:us-east-1:\d{12}:alarm:set-state$/) as unknown],
      detail: {
        alarmName: 'set-state',
        state: { value: 'ALARM', reason: 'operator test', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/) as unknown },
        previousState: { value: expect.stringMatching(/^(INSUFFICIENT_DATA|OK)$/) as unknown },
        configuration: { metrics: [{ metricStat: { metric: { namespace: 'AWS/ApplicationELB', name: 'HTTPCode_Target_5XX_Count' }, period: 60, stat: 'Sum' }, returnData: true }] },
      },
    });
    expect(event?.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('takes custom metrics (not in an AWS/ namespace) and sums them per period', async () => {
    // Prepare
    const start = new Date(Date.now() - 60_000);
    const datum = { MetricName: 'Deployments', Dimensions: [{ Name: 'Service', Value: 'shop' }], Value: 1 };

    // Act
    const reserved = await failure(cloudWatch.send(new PutMetricDataCommand({ Namespace: 'AWS/ApplicationELB', MetricData: [datum] })));
    await cloudWatch.send(new PutMetricDataCommand({ Namespace: 'Bluegreen', MetricData: [datum, datum, datum] }));
    const stats = await cloudWatch.send(
      new GetMetricStatisticsCommand({ Namespace: 'Bluegreen', MetricName: 'Deployments', Dimensions: datum.Dimensions, StartTime: start, EndTime: new Date(Date.now() + 1000), Period: 60 * 60, Statistics: ['Sum', 'SampleCount'] }),
    );

    // Assess
    expect(reserved).toBe('InvalidParameterValueException');
    expect(stats.Datapoints!.reduce((sum, d) => sum + d.Sum!, 0)).toBe(3);
  });
});

describe('call counts and fault injection', () => {
  it('counts every call per service and operation', async () => {
    // Prepare
    cloud.resetApiCalls();

    // Act
    await elbv2.send(new DescribeTagsCommand({ ResourceArns: [] }));
    await elbv2.send(new DescribeTagsCommand({ ResourceArns: [] }));
    await ec2.send(new DescribeSubnetsCommand({}));
    await cloudWatch.send(new DescribeAlarmsCommand({}));

    // Assess
    expect(cloud.apiCalls()).toEqual({ elasticloadbalancing: { DescribeTags: 2 }, ec2: { DescribeSubnets: 1 }, cloudwatch: { DescribeAlarms: 1 } });
  });

  it.each([
    { service: 'elasticloadbalancing' as const, operation: 'DescribeTags', error: 'Throttling', call: () => elbv2.send(new DescribeTagsCommand({ ResourceArns: [] })), status: 400 },
    { service: 'autoscaling' as const, operation: 'DescribeAutoScalingGroups', error: 'AccessDenied', call: () => autoScaling.send(new DescribeAutoScalingGroupsCommand({})), status: 403 },
    { service: 'ec2' as const, operation: 'DescribeSubnets', error: 'UnauthorizedOperation', call: () => ec2.send(new DescribeSubnetsCommand({})), status: 403 },
    { service: 'cloudwatch' as const, operation: 'DescribeAlarms', error: 'AccessDenied', call: () => cloudWatch.send(new DescribeAlarmsCommand({})), status: 403 },
    { service: 'cloudwatch' as const, operation: 'PutMetricAlarm', error: 'Throttling', call: () => put('throttled'), status: 400 },
    { service: 'elasticloadbalancing' as const, operation: 'AddTags', error: 'ServiceUnavailable', call: () => elbv2.send(new AddTagsCommand({ ResourceArns: [], Tags: [] })), status: 503 },
  ])('$service:$operation fails with the SDK exception $error', async ({ service, operation, error, call, status }) => {
    // Prepare
    const fault = cloud.injectFault({ service, operation, error, count: 1 });

    // Act
    const thrown = await call().catch((e: { name: string; message: string; $metadata: { httpStatusCode: number } }) => e);
    const next = await failure(call());

    // Assess
    expect(thrown).toMatchObject({ name: error, $metadata: { httpStatusCode: status } });
    if (error !== 'Throttling' && status < 500) expect((thrown as Error).message).toContain(`${service}:${operation}`);
    expect(fault.hits).toBe(1);
    expect(next).toBe('resolved');
  });

  it('lets the SDK retry an injected throttle and counts both attempts', async () => {
    // Prepare
    const retrying = new ElasticLoadBalancingV2Client({ ...cloud.clientConfig(), maxAttempts: 3, retryStrategy: undefined });
    cloud.resetApiCalls();
    cloud.injectFault({ service: 'elasticloadbalancing', operation: 'DescribeTags', error: 'Throttling', count: 1 });

    // Act
    const answer = await retrying.send(new DescribeTagsCommand({ ResourceArns: [] }));
    retrying.destroy();

    // Assess
    expect(answer.TagDescriptions).toEqual([]);
    expect(cloud.apiCalls().elasticloadbalancing?.DescribeTags).toBe(2);
  });
});
