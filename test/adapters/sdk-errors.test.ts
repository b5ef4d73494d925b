// What each adapter throws when AWS says no, with scripted SDK clients: the
// named errors Step Functions retries or catches on, never an SDK type, and
// the "already there" / "already gone" answers a retried step relies on.
import {
  AlreadyExistsFault,
  AutoScalingClient,
  type AutoScalingGroup,
  AutoScalingServiceException,
  CreateAutoScalingGroupCommand,
  DeleteAutoScalingGroupCommand,
  DescribeAutoScalingGroupsCommand,
  EnterStandbyCommand,
  UpdateAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import {
  CloudWatchClient,
  CloudWatchServiceException,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  ResourceNotFound as AlarmNotFound,
} from '@aws-sdk/client-cloudwatch';
import {
  CreateLaunchTemplateVersionCommand,
  DescribeLaunchTemplateVersionsCommand,
  EC2Client,
  EC2ServiceException,
} from '@aws-sdk/client-ec2';
import {
  AddTagsCommand,
  CreateTargetGroupCommand,
  DeleteTargetGroupCommand,
  DescribeRulesCommand,
  DescribeTargetGroupsCommand,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  ListenerNotFoundException,
  ModifyListenerCommand,
  ModifyTargetGroupAttributesCommand,
  ResourceInUseException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createAlarms } from '../../functions/adapters/alarms.ts';
import { createFleet, type FleetSpec } from '../../functions/adapters/fleet.ts';
import { createTrafficRouter } from '../../functions/adapters/router.ts';
import { createTargetGroups, type TargetGroupSettings } from '../../functions/adapters/target-groups.ts';
import { AccessDenied, ResourceInUse, ResourceNotFound, Throttled } from '../../functions/core/errors.ts';

const region = 'us-east-1';
const elbv2 = new ElasticLoadBalancingV2Client({ region });
const autoScaling = new AutoScalingClient({ region });
const ec2 = new EC2Client({ region });
const cloudWatch = new CloudWatchClient({ region });
const mocks = { elb: mockClient(elbv2), autoScaling: mockClient(autoScaling), ec2: mockClient(ec2), cloudWatch: mockClient(cloudWatch) };
const adapters = {
  router: createTrafficRouter(elbv2),
  targetGroups: createTargetGroups(elbv2),
  fleet: createFleet(autoScaling, ec2),
  alarms: createAlarms(cloudWatch),
};

const listenerArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2';
const targetGroupArn = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bg-shop-2/73e2d6bc24d8a067';
const settings: TargetGroupSettings = {
  protocol: 'HTTP',
  port: 80,
  vpcId: 'vpc-0abc',
  targetType: 'instance',
  healthCheck: { path: '/health', protocol: 'HTTP', port: 'traffic-port', intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2, matcher: '200' },
  attributes: { 'deregistration_delay.timeout_seconds': '30' },
};
const fleetSpec: FleetSpec = {
  name: 'bg-shop-2',
  launchTemplate: { id: 'lt-0abc', version: '8' },
  capacity: { min: 2, max: 4, desired: 2 },
  subnets: ['subnet-a', 'subnet-b'],
  targetGroupArn,
  healthCheckGracePeriod: 60,
  tags: {},
};
const alarmSpec = {
  name: 'bg-shop-2-http5xx',
  metricName: 'HTTPCode_Target_5XX_Count',
  namespace: 'AWS/ApplicationELB',
  statistic: 'Sum',
  threshold: 5,
  comparison: 'GreaterThanThreshold',
  evaluationPeriods: 1,
  periodSeconds: 60,
  dimensions: { LoadBalancer: 'app/shop/50dc6c495c0c9188', TargetGroup: 'targetgroup/bg-shop-2/73e2d6bc24d8a067' },
  treatMissingData: 'notBreaching',
  tags: {},
} as const;

const meta = (httpStatusCode: number) => ({ $fault: 'client' as const, $metadata: { httpStatusCode } });
const elbError = (name: string, message: string, status = 400) => new ElasticLoadBalancingV2ServiceException({ name, message, ...meta(status) });
const autoScalingError = (name: string, message: string, status = 400) => new AutoScalingServiceException({ name, message, ...meta(status) });
const ec2Error = (name: string, message: string) => new EC2ServiceException({ name, message, ...meta(400) });
const cloudWatchError = (name: string, message: string, status = 400) => new CloudWatchServiceException({ name, message, ...meta(status) });

beforeEach(() => {
  for (const mock of Object.values(mocks)) mock.reset();
});

describe('a throttled call', () => {
  it.each([
    {
      title: 'router.readListener',
      script: () => mocks.elb.on(DescribeRulesCommand).rejects(elbError('Throttling', 'Rate exceeded')),
      act: () => adapters.router.readListener(listenerArn),
      sdkType: ElasticLoadBalancingV2ServiceException,
    },
    {
      title: 'targetGroups.listReleases (paginated)',
      script: () => mocks.elb.on(DescribeTargetGroupsCommand).rejects(elbError('Throttling', 'Rate exceeded')),
      act: () => adapters.targetGroups.listReleases('shop'),
      sdkType: ElasticLoadBalancingV2ServiceException,
    },
    {
      title: 'fleet.setCapacity',
      script: () => mocks.autoScaling.on(UpdateAutoScalingGroupCommand).rejects(autoScalingError('Throttling', 'Rate exceeded')),
      act: () => adapters.fleet.setCapacity('bg-shop-2', { min: 2, max: 4, desired: 3 }),
      sdkType: AutoScalingServiceException,
    },
    {
      title: 'fleet.launchTemplateVersion',
      script: () => mocks.ec2.on(DescribeLaunchTemplateVersionsCommand).rejects(ec2Error('RequestLimitExceeded', 'Request limit exceeded.')),
      act: () => adapters.fleet.launchTemplateVersion('lt-0abc', { name: 'bg-shop-2', version: '2.0.0' }, 'APP_VERSION'),
      sdkType: EC2ServiceException,
    },
    {
      title: 'alarms.list',
      script: () => mocks.cloudWatch.on(DescribeAlarmsCommand).rejects(cloudWatchError('ThrottlingException', 'Rate exceeded')),
      act: () => adapters.alarms.list('shop', 2),
      sdkType: CloudWatchServiceException,
    },
  ])('in $title is Throttled, retryable, and never the SDK error', async ({ script, act, sdkType }) => {
    // Prepare
    script();

    // Act
    const error = await act().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(Throttled);
    expect(error).not.toBeInstanceOf(sdkType);
    expect(error).toMatchObject({ name: 'Throttled', retryable: true });
    expect((error as Throttled).cause).toBeInstanceOf(sdkType);
  });
});

describe('a refused call', () => {
  it.each([
    {
      permission: 'elasticloadbalancing:ModifyListener',
      script: () => mocks.elb.on(ModifyListenerCommand).rejects(elbError('AccessDenied', 'User is not allowed', 403)),
      act: () => adapters.router.applyWrites(listenerArn, [{ kind: 'modify-default', action: { type: 'forward', targets: [{ targetGroupArn, weight: 1 }] } }]),
    },
    {
      permission: 'elasticloadbalancing:CreateTargetGroup',
      script: () => mocks.elb.on(CreateTargetGroupCommand).rejects(elbError('AccessDenied', 'User is not allowed', 403)),
      act: () => adapters.targetGroups.create('bg-shop-2', settings, {}),
    },
    {
      permission: 'elasticloadbalancing:AddTags',
      script: () => {
        // Tags go with the create; AddTags is needed only when a retried step finds the group already there.
        mocks.elb.on(CreateTargetGroupCommand).rejects(new DuplicateTargetGroupNameException({ message: 'exists', $metadata: {} }));
        mocks.elb.on(DescribeTargetGroupsCommand).resolves({ TargetGroups: [{ TargetGroupArn: targetGroupArn }] });
        mocks.elb.on(AddTagsCommand).rejects(elbError('AccessDenied', 'User is not allowed', 403));
      },
      act: () => adapters.targetGroups.create('bg-shop-2', settings, { 'bluegreen:service': 'shop' }),
    },
    {
      permission: 'autoscaling:CreateAutoScalingGroup',
      script: () => mocks.autoScaling.on(CreateAutoScalingGroupCommand).rejects(autoScalingError('AccessDenied', 'User is not allowed', 403)),
      act: () => adapters.fleet.create(fleetSpec),
    },
    {
      permission: 'autoscaling:EnterStandby',
      script: () => {
        mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
          AutoScalingGroups: [{ AutoScalingGroupName: 'bg-shop-1', Instances: [{ InstanceId: 'i-1', LifecycleState: 'InService' }] } as never],
        });
        mocks.autoScaling.on(EnterStandbyCommand).rejects(autoScalingError('AccessDenied', 'User is not allowed', 403));
      },
      act: () => adapters.fleet.standby('bg-shop-1', true),
    },
    {
      permission: 'ec2:CreateLaunchTemplateVersion',
      script: () => {
        mocks.ec2.on(DescribeLaunchTemplateVersionsCommand).resolves({ LaunchTemplateVersions: [{ VersionNumber: 1, LaunchTemplateData: {} }] });
        mocks.ec2.on(CreateLaunchTemplateVersionCommand).rejects(ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.'));
      },
      act: () => adapters.fleet.launchTemplateVersion('lt-0abc', { name: 'bg-shop-2', version: '2.0.0' }, 'APP_VERSION'),
    },
    {
      permission: 'cloudwatch:PutMetricAlarm',
      script: () => mocks.cloudWatch.on(PutMetricAlarmCommand).rejects(cloudWatchError('AccessDenied', 'User is not allowed', 403)),
      act: () => adapters.alarms.put([alarmSpec]),
    },
  ])('is AccessDenied naming $permission', async ({ permission, script, act }) => {
    // Prepare
    script();

    // Act
    const error = await act().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AccessDenied);
    expect((error as AccessDenied).message).toContain(`missing permission ${permission} `);
    expect((error as AccessDenied).retryable).toBe(false);
  });
});

describe('a missing resource', () => {
  it.each([
    {
      title: 'a listener',
      script: () => mocks.elb.on(DescribeRulesCommand).rejects(new ListenerNotFoundException({ message: 'The specified listener does not exist.', $metadata: {} })),
      act: () => adapters.router.readListener(listenerArn),
    },
    {
      title: 'a target group',
      script: () => mocks.elb.on(DescribeTargetGroupsCommand).rejects(new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} })),
      act: () => adapters.targetGroups.readSettings(targetGroupArn),
    },
    {
      title: 'an Auto Scaling group put to standby',
      script: () => mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({ AutoScalingGroups: [] }),
      act: () => adapters.fleet.standby('bg-shop-1', true),
    },
    {
      title: 'a launch template',
      script: () => mocks.ec2.on(DescribeLaunchTemplateVersionsCommand).rejects(ec2Error('InvalidLaunchTemplateId.NotFound', 'The specified launch template does not exist.')),
      act: () => adapters.fleet.launchTemplateVersion('lt-0abc', { name: 'bg-shop-2', version: '2.0.0' }, 'APP_VERSION'),
    },
  ])('($title) is ResourceNotFound', async ({ script, act }) => {
    // Prepare
    script();

    // Act
    const error = await act().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFound);
  });

  it.each([
    {
      title: 'a target group',
      script: () => mocks.elb.on(DeleteTargetGroupCommand).rejects(new TargetGroupNotFoundException({ message: 'One or more target groups not found', $metadata: {} })),
      act: () => adapters.targetGroups.delete(targetGroupArn),
    },
    {
      title: 'an Auto Scaling group',
      script: () =>
        mocks.autoScaling
          .on(DeleteAutoScalingGroupCommand)
          .rejects(autoScalingError('ValidationError', "AutoScalingGroup name not found - AutoScalingGroup 'bg-shop-1' not found")),
      act: () => adapters.fleet.delete('bg-shop-1'),
    },
    {
      title: 'alarms',
      script: () => mocks.cloudWatch.on(DeleteAlarmsCommand).rejects(new AlarmNotFound({ message: 'not found', $metadata: {} })),
      act: () => adapters.alarms.delete(['bg-shop-1-http5xx']),
    },
  ])('($title) is deleted already', async ({ script, act }) => {
    script();
    await expect(act()).resolves.toBeUndefined();
  });
});

describe('a resource that exists already or is still in use', () => {
  it('a target group still used by a rule is ResourceInUse', async () => {
    // Prepare
    mocks.elb.on(DeleteTargetGroupCommand).rejects(new ResourceInUseException({ message: 'currently in use by a listener or a rule', $metadata: {} }));

    // Act
    const error = await adapters.targetGroups.delete(targetGroupArn).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ResourceInUse);
  });

  it('creating a target group whose name exists returns the existing group', async () => {
    // Prepare
    mocks.elb.on(CreateTargetGroupCommand).rejects(new DuplicateTargetGroupNameException({ message: 'exists', $metadata: {} }));
    mocks.elb.on(DescribeTargetGroupsCommand, { Names: ['bg-shop-2'] }).resolves({ TargetGroups: [{ TargetGroupArn: targetGroupArn }] });
    mocks.elb.on(ModifyTargetGroupAttributesCommand).resolves({});
    mocks.elb.on(AddTagsCommand).resolves({});

    // Act
    const arn = await adapters.targetGroups.create('bg-shop-2', settings, { 'bluegreen:service': 'shop' });

    // Assess
    expect(arn).toBe(targetGroupArn);
    expect(mocks.elb.commandCalls(AddTagsCommand)[0]?.args[0].input).toEqual({
      ResourceArns: [targetGroupArn],
      Tags: [{ Key: 'bluegreen:service', Value: 'shop' }],
    });
  });

  it('creating an Auto Scaling group that exists, as this deployment asked for it, is fine (a retried step)', async () => {
    // Prepare
    mocks.autoScaling.on(CreateAutoScalingGroupCommand).rejects(new AlreadyExistsFault({ message: 'AutoScalingGroup by this name already exists', $metadata: {} }));
    mocks.autoScaling.on(DescribeAutoScalingGroupsCommand).resolves({
      AutoScalingGroups: [{
        AutoScalingGroupName: fleetSpec.name,
        LaunchTemplate: { LaunchTemplateId: fleetSpec.launchTemplate.id, Version: fleetSpec.launchTemplate.version },
        TargetGroupARNs: [fleetSpec.targetGroupArn],
      } as AutoScalingGroup],
    });

    // Act
    const created = adapters.fleet.create(fleetSpec);

    // Assess
    await expect(created).resolves.toBeUndefined();
  });
});
