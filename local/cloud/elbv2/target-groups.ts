// Target group operations: create (idempotent by name), describe, modify,
// delete, attributes, target registration and health.
//
// DeleteTargetGroup (API reference "DeleteTargetGroup": a group can be
// deleted "if it is not referenced by any actions") answers ResourceInUse
// while a listener or rule forwards to it, and for a while after (the
// realism setting `targetGroupRelease`): the pages give no figure, but
// callers of the API report ResourceInUse right after the last rule went, as
// the change still reaches the load balancer's nodes.
import type {
  CreateTargetGroupCommandInput,
  CreateTargetGroupCommandOutput,
  DeleteTargetGroupCommandInput,
  DeleteTargetGroupCommandOutput,
  DeregisterTargetsCommandInput,
  DeregisterTargetsCommandOutput,
  DescribeTargetGroupAttributesCommandInput,
  DescribeTargetGroupAttributesCommandOutput,
  DescribeTargetGroupsCommandInput,
  DescribeTargetGroupsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
  ModifyTargetGroupAttributesCommandInput,
  ModifyTargetGroupAttributesCommandOutput,
  ModifyTargetGroupCommandInput,
  ModifyTargetGroupCommandOutput,
  RegisterTargetsCommandInput,
  RegisterTargetsCommandOutput,
  TargetDescription,
  TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateTargetGroup$,
  DeleteTargetGroup$,
  DeregisterTargets$,
  DescribeTargetGroupAttributes$,
  DescribeTargetGroups$,
  DescribeTargetHealth$,
  ModifyTargetGroup$,
  ModifyTargetGroupAttributes$,
  RegisterTargets$,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, required, validationError } from '../aws-error.ts';
import type { Clock } from '../clock.ts';
import type { Log } from '../log.ts';
import { paginate } from '../pagination.ts';
import type { Realism } from '../realism.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { applyAttributes, attributeList, defaultAttributes, TARGET_GROUP_ATTRIBUTES } from './attributes.ts';
import { parseMatcher } from './health-check.ts';
import { LIMITS } from './limits.ts';
import { elbId, type Elbv2State } from './state.ts';
import { TargetGroupRuntime, type TargetAddressResolver } from './target-group.ts';
import { checkTags, setTags } from './tags.ts';

export interface TargetGroupDeps {
  clock: Clock;
  log: Log;
  resolveAddress: TargetAddressResolver;
  vpcExists: (vpcId: string) => boolean;
  /** Whether an instance id names a pending or running instance. */
  instanceRegistrable: (instanceId: string) => boolean;
  /** How long a group stays in use after its last reference. */
  release: Realism['targetGroupRelease'];
}

const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;
const MAX_DESCRIBE = 20;
type HealthSettings = Pick<
  TargetGroup,
  'HealthCheckProtocol' | 'HealthCheckPort' | 'HealthCheckEnabled' | 'HealthCheckPath' | 'HealthCheckIntervalSeconds' | 'HealthCheckTimeoutSeconds' | 'HealthyThresholdCount' | 'UnhealthyThresholdCount' | 'Matcher'
>;

export function targetGroupOperations(state: Elbv2State, deps: TargetGroupDeps): Operation[] {
  return [
    operation(CreateTargetGroup$, (input: CreateTargetGroupCommandInput) => createTargetGroup(state, deps, input)),
    operation(DescribeTargetGroups$, (input: DescribeTargetGroupsCommandInput) => describeTargetGroups(state, input)),
    operation(ModifyTargetGroup$, (input: ModifyTargetGroupCommandInput): Answer<ModifyTargetGroupCommandOutput> => {
      const tg = requireTargetGroup(state, required(input.TargetGroupArn, 'TargetGroupArn'));
      const { TargetGroupArn: _arn, ...changes } = input;
      const next = { ...tg.description, ...definedOnly(changes) };
      checkHealthSettings(next);
      tg.updateDescription(next);
      return { TargetGroups: [view(tg)] };
    }),
    operation(DeleteTargetGroup$, (input: DeleteTargetGroupCommandInput): Answer<DeleteTargetGroupCommandOutput> => {
      const arn = required(input.TargetGroupArn, 'TargetGroupArn');
      const tg = state.targetGroups.get(arn);
      if (!tg) return {};
      const released = tg.releasedForMs;
      const stillInUse = state.isReferenced(arn) || (deps.release && released !== undefined && released < deps.clock.ms(deps.release.seconds));
      if (stillInUse) throw new AwsError('ResourceInUse', `Target group '${arn}' is currently in use by a listener or a rule`);
      tg.close();
      state.targetGroups.delete(arn);
      state.tags.delete(arn);
      deps.log('elbv2', 'target-group-deleted', { targetGroup: tg.name });
      return {};
    }),
    operation(DescribeTargetGroupAttributes$, (input: DescribeTargetGroupAttributesCommandInput): Answer<DescribeTargetGroupAttributesCommandOutput> => {
      const tg = requireTargetGroup(state, required(input.TargetGroupArn, 'TargetGroupArn'));
      return { Attributes: attributeList(tg.attributes) };
    }),
    operation(ModifyTargetGroupAttributes$, (input: ModifyTargetGroupAttributesCommandInput): Answer<ModifyTargetGroupAttributesCommandOutput> => {
      const tg = requireTargetGroup(state, required(input.TargetGroupArn, 'TargetGroupArn'));
      applyAttributes(TARGET_GROUP_ATTRIBUTES, tg.attributes, required(input.Attributes, 'Attributes'), 'Target group');
      return { Attributes: attributeList(tg.attributes) };
    }),
    operation(RegisterTargets$, (input: RegisterTargetsCommandInput): Answer<RegisterTargetsCommandOutput> => {
      const tg = requireTargetGroup(state, required(input.TargetGroupArn, 'TargetGroupArn'));
      const targets = required(input.Targets, 'Targets');
      checkTargets(tg, targets, deps);
      if (tg.targetCount + targets.length > LIMITS.targetsPerTargetGroup) throw new AwsError('TooManyTargets', `A target group can have at most ${LIMITS.targetsPerTargetGroup} targets`);
      tg.register(targets);
      return {};
    }),
    operation(DeregisterTargets$, (input: DeregisterTargetsCommandInput): Answer<DeregisterTargetsCommandOutput> => {
      const tg = requireTargetGroup(state, required(input.TargetGroupArn, 'TargetGroupArn'));
      tg.deregister(required(input.Targets, 'Targets'));
      return {};
    }),
    operation(DescribeTargetHealth$, (input: DescribeTargetHealthCommandInput): Answer<DescribeTargetHealthCommandOutput> => {
      const tg = requireTargetGroup(state, required(input.TargetGroupArn, 'TargetGroupArn'));
      return { TargetHealthDescriptions: tg.health(input.Targets) };
    }),
  ];
}

export function requireTargetGroup(state: Elbv2State, arn: string): TargetGroupRuntime {
  const tg = state.targetGroups.get(arn);
  if (!tg) throw new AwsError('TargetGroupNotFound', `Target groups '${arn}' not found`);
  return tg;
}

function createTargetGroup(state: Elbv2State, deps: TargetGroupDeps, input: CreateTargetGroupCommandInput): Answer<CreateTargetGroupCommandOutput> {
  const name = required(input.Name, 'Name');
  if (!NAME.test(name)) throw validationError(`Target group name '${name}' must be 1 to 32 alphanumeric characters or hyphens, and must not begin or end with a hyphen`);
  const targetType = input.TargetType ?? 'instance';
  if (targetType !== 'instance' && targetType !== 'ip') throw validationError(`TargetType: the local cloud emulates 'instance' and 'ip' target groups, not '${targetType}'`);
  const protocol = required(input.Protocol, 'Protocol');
  if (protocol !== 'HTTP' && protocol !== 'HTTPS') throw validationError(`Protocol: the local cloud emulates Application Load Balancer target groups (HTTP, HTTPS), not '${protocol}'`);
  const port = required(input.Port, 'Port');
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw validationError(`Port must be between 1 and 65535, got ${port}`);
  const vpcId = required(input.VpcId, 'VpcId');
  if (!deps.vpcExists(vpcId)) throw validationError(`The VPC ID '${vpcId}' is not found`);
  const settings: HealthSettings = {
    HealthCheckProtocol: input.HealthCheckProtocol ?? protocol,
    HealthCheckPort: input.HealthCheckPort ?? 'traffic-port',
    HealthCheckEnabled: input.HealthCheckEnabled ?? true,
    HealthCheckPath: input.HealthCheckPath ?? '/',
    HealthCheckIntervalSeconds: input.HealthCheckIntervalSeconds ?? 30,
    HealthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds ?? 5,
    HealthyThresholdCount: input.HealthyThresholdCount ?? 5,
    UnhealthyThresholdCount: input.UnhealthyThresholdCount ?? 2,
    Matcher: { HttpCode: input.Matcher?.HttpCode ?? '200' },
  };
  checkHealthSettings(settings);
  const existing = [...state.targetGroups.values()].find((tg) => tg.name === name);
  if (existing) {
    const same = existing.description.Protocol === protocol && existing.description.Port === port && existing.description.VpcId === vpcId && existing.description.TargetType === targetType && sameHealth(existing.description, settings);
    if (!same) throw new AwsError('DuplicateTargetGroupName', `A target group with the same name '${name}' exists, but with different settings`);
    return { TargetGroups: [view(existing)] };
  }
  if (state.targetGroups.size >= LIMITS.targetGroups) throw new AwsError('TooManyTargetGroups', `You have reached the quota of ${LIMITS.targetGroups} target groups`);
  const arn = state.arn(`targetgroup/${name}/${elbId()}`);
  if (input.Tags?.length) checkTags(state, arn, input.Tags);
  const description: TargetGroup = {
    TargetGroupArn: arn,
    TargetGroupName: name,
    Protocol: protocol,
    Port: port,
    VpcId: vpcId,
    ...settings,
    TargetType: targetType,
    ProtocolVersion: input.ProtocolVersion ?? 'HTTP1',
    IpAddressType: input.IpAddressType ?? 'ipv4',
    LoadBalancerArns: [],
  };
  const tg = new TargetGroupRuntime(description, defaultAttributes(TARGET_GROUP_ATTRIBUTES), deps.clock, deps.resolveAddress, deps.log);
  state.targetGroups.set(arn, tg);
  if (input.Tags?.length) setTags(state, arn, input.Tags);
  deps.log('elbv2', 'target-group-created', { targetGroup: name });
  return { TargetGroups: [view(tg)] };
}

function describeTargetGroups(state: Elbv2State, input: DescribeTargetGroupsCommandInput): Answer<DescribeTargetGroupsCommandOutput> {
  const arns = input.TargetGroupArns ?? [];
  const names = input.Names ?? [];
  if (arns.length > MAX_DESCRIBE || names.length > MAX_DESCRIBE) throw validationError(`You cannot describe more than '${MAX_DESCRIBE}' target groups at a time`);
  if (input.LoadBalancerArn && !state.loadBalancers.has(input.LoadBalancerArn)) throw new AwsError('LoadBalancerNotFound', `Load balancer '${input.LoadBalancerArn}' not found`);
  const all = [...state.targetGroups.values()];
  for (const arn of arns) requireTargetGroup(state, arn);
  for (const name of names) if (!all.some((tg) => tg.name === name)) throw new AwsError('TargetGroupNotFound', `One or more target groups not found`);
  const chosen = all
    .filter((tg) => !arns.length || arns.includes(tg.arn))
    .filter((tg) => !names.length || names.includes(tg.name))
    .filter((tg) => !input.LoadBalancerArn || tg.usedBy.includes(input.LoadBalancerArn));
  const pageSize = input.PageSize ?? 400;
  if (pageSize < 1 || pageSize > 400) throw validationError(`PageSize must be between 1 and 400, got ${pageSize}`);
  const { page, next } = paginate(chosen, input.Marker, pageSize, 'ValidationError');
  return { TargetGroups: page.map(view), NextMarker: next };
}

function view(tg: TargetGroupRuntime): TargetGroup {
  return { ...tg.description, LoadBalancerArns: tg.usedBy };
}

function checkHealthSettings(s: HealthSettings): void {
  const interval = s.HealthCheckIntervalSeconds!;
  const timeout = s.HealthCheckTimeoutSeconds!;
  inRange('HealthCheckIntervalSeconds', interval, 5, 300);
  inRange('HealthCheckTimeoutSeconds', timeout, 2, 120);
  inRange('HealthyThresholdCount', s.HealthyThresholdCount!, 2, 10);
  inRange('UnhealthyThresholdCount', s.UnhealthyThresholdCount!, 2, 10);
  if (timeout >= interval) throw validationError(`Health check timeout '${timeout}' must be smaller than the interval '${interval}'`);
  const path = s.HealthCheckPath ?? '/';
  if (!path.startsWith('/') || path.length > 1024) throw validationError(`Health check path '${path}' must begin with '/' and be at most 1024 characters`);
  const port = s.HealthCheckPort ?? 'traffic-port';
  if (port !== 'traffic-port' && !(Number(port) >= 1 && Number(port) <= 65_535)) throw validationError(`Health check port '${port}' must be 'traffic-port' or a port number`);
  parseMatcher(s.Matcher?.HttpCode ?? '200');
}

function inRange(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw validationError(`${field} must be between ${min} and ${max}, got ${value}`);
}

function sameHealth(a: HealthSettings, b: HealthSettings): boolean {
  return (
    a.HealthCheckPath === b.HealthCheckPath &&
    a.HealthCheckPort === b.HealthCheckPort &&
    a.HealthCheckIntervalSeconds === b.HealthCheckIntervalSeconds &&
    a.HealthCheckTimeoutSeconds === b.HealthCheckTimeoutSeconds &&
    a.HealthyThresholdCount === b.HealthyThresholdCount &&
    a.UnhealthyThresholdCount === b.UnhealthyThresholdCount &&
    a.Matcher?.HttpCode === b.Matcher?.HttpCode
  );
}

function checkTargets(tg: TargetGroupRuntime, targets: TargetDescription[], deps: TargetGroupDeps): void {
  for (const t of targets) {
    const id = required(t.Id, 'Targets.member.Id');
    if (t.Port !== undefined && !(Number.isInteger(t.Port) && t.Port >= 1 && t.Port <= 65_535)) throw validationError(`Target port must be between 1 and 65535, got ${t.Port}`);
    if (tg.description.TargetType === 'ip') {
      if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(id)) throw new AwsError('InvalidTarget', `The IP address '${id}' is not a valid IPv4 address`);
    } else if (!/^i-[0-9a-f]{8,17}$/.test(id)) {
      throw new AwsError('InvalidTarget', `Instance ID '${id}' is not valid`);
    } else if (!deps.instanceRegistrable(id)) {
      throw new AwsError('InvalidTarget', `The following targets are not in a running state and cannot be registered: '${id}'`);
    }
  }
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
