// Application Load Balancers: create (in at least two subnets of two zones),
// describe, delete (with its listeners and rules), attributes.
import type {
  CreateLoadBalancerCommandInput,
  CreateLoadBalancerCommandOutput,
  DeleteLoadBalancerCommandInput,
  DeleteLoadBalancerCommandOutput,
  DescribeLoadBalancerAttributesCommandInput,
  DescribeLoadBalancerAttributesCommandOutput,
  DescribeLoadBalancersCommandInput,
  DescribeLoadBalancersCommandOutput,
  LoadBalancer,
  ModifyLoadBalancerAttributesCommandInput,
  ModifyLoadBalancerAttributesCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  CreateLoadBalancer$,
  DeleteLoadBalancer$,
  DescribeLoadBalancerAttributes$,
  DescribeLoadBalancers$,
  ModifyLoadBalancerAttributes$,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Subnet } from '@aws-sdk/client-ec2';
import { AwsError, required, validationError } from '../aws-error.ts';
import type { Log } from '../log.ts';
import { paginate } from '../pagination.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { applyAttributes, attributeList, defaultAttributes, LOAD_BALANCER_ATTRIBUTES } from './attributes.ts';
import { LIMITS } from './limits.ts';
import { elbId, type Elbv2State } from './state.ts';
import { checkTags, setTags } from './tags.ts';

export interface LoadBalancerDeps {
  log: Log;
  subnet: (subnetId: string) => Subnet | undefined;
}

const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/;
/** The hosted zone of us-east-1 Application Load Balancers. */
const HOSTED_ZONE_ID = 'Z35SXDOTRQ7X7K';

export function loadBalancerOperations(state: Elbv2State, deps: LoadBalancerDeps): Operation[] {
  return [
    operation(CreateLoadBalancer$, (input: CreateLoadBalancerCommandInput) => createLoadBalancer(state, deps, input)),
    operation(DescribeLoadBalancers$, (input: DescribeLoadBalancersCommandInput): Answer<DescribeLoadBalancersCommandOutput> => {
      const arns = input.LoadBalancerArns ?? [];
      const names = input.Names ?? [];
      const all = [...state.loadBalancers.values()].map((r) => r.description);
      for (const arn of arns) requireLoadBalancer(state, arn);
      for (const name of names) if (!all.some((lb) => lb.LoadBalancerName === name)) throw new AwsError('LoadBalancerNotFound', `Load balancers '[${name}]' not found`);
      const chosen = all.filter((lb) => (!arns.length || arns.includes(lb.LoadBalancerArn!)) && (!names.length || names.includes(lb.LoadBalancerName!)));
      const { page, next } = paginate(chosen, input.Marker, input.PageSize ?? 400, 'ValidationError');
      return { LoadBalancers: page, NextMarker: next };
    }),
    operation(DeleteLoadBalancer$, async (input: DeleteLoadBalancerCommandInput): Promise<Answer<DeleteLoadBalancerCommandOutput>> => {
      const arn = required(input.LoadBalancerArn, 'LoadBalancerArn');
      const record = state.loadBalancers.get(arn);
      if (!record) return {};
      if (record.attributes.get('deletion_protection.enabled') === 'true') throw new AwsError('OperationNotPermitted', `Load balancer '${arn}' cannot be deleted because deletion protection is enabled`);
      for (const listener of state.listenersOf(arn)) {
        for (const rule of listener.rules) state.rules.delete(rule.arn);
        state.listeners.delete(listener.arn);
        await listener.proxy?.close();
      }
      state.loadBalancers.delete(arn);
      state.tags.delete(arn);
      state.refreshTargetGroupUsage();
      deps.log('elbv2', 'load-balancer-deleted', { loadBalancer: record.description.LoadBalancerName });
      return {};
    }),
    operation(DescribeLoadBalancerAttributes$, (input: DescribeLoadBalancerAttributesCommandInput): Answer<DescribeLoadBalancerAttributesCommandOutput> => {
      const record = requireLoadBalancer(state, required(input.LoadBalancerArn, 'LoadBalancerArn'));
      return { Attributes: attributeList(record.attributes) };
    }),
    operation(ModifyLoadBalancerAttributes$, (input: ModifyLoadBalancerAttributesCommandInput): Answer<ModifyLoadBalancerAttributesCommandOutput> => {
      const record = requireLoadBalancer(state, required(input.LoadBalancerArn, 'LoadBalancerArn'));
      applyAttributes(LOAD_BALANCER_ATTRIBUTES, record.attributes, required(input.Attributes, 'Attributes'), 'Load balancer');
      return { Attributes: attributeList(record.attributes) };
    }),
  ];
}

export function requireLoadBalancer(state: Elbv2State, arn: string) {
  const record = state.loadBalancers.get(arn);
  if (!record) throw new AwsError('LoadBalancerNotFound', `Load balancer '${arn}' not found`);
  return record;
}

function createLoadBalancer(state: Elbv2State, deps: LoadBalancerDeps, input: CreateLoadBalancerCommandInput): Answer<CreateLoadBalancerCommandOutput> {
  const name = required(input.Name, 'Name');
  if (!NAME.test(name) || name.startsWith('internal-')) {
    throw validationError(`Load balancer name '${name}' must be 1 to 32 alphanumeric characters or hyphens, must not begin or end with a hyphen, and must not begin with 'internal-'`);
  }
  const type = input.Type ?? 'application';
  if (type !== 'application') throw validationError(`Type: the local cloud emulates application load balancers, not '${type}'`);
  const subnetIds = input.Subnets ?? (input.SubnetMappings ?? []).map((m) => m.SubnetId!);
  const subnets = subnetIds.map((id) => {
    const subnet = deps.subnet(id);
    if (!subnet) throw new AwsError('SubnetNotFound', `The subnet ID '${id}' is not valid`);
    return subnet;
  });
  if (new Set(subnets.map((s) => s.AvailabilityZone)).size < 2) throw validationError('At least two subnets in two different Availability Zones must be specified');
  const vpcIds = new Set(subnets.map((s) => s.VpcId));
  if (vpcIds.size > 1) throw new AwsError('InvalidConfigurationRequest', 'All subnets of a load balancer must belong to the same VPC');
  const scheme = input.Scheme ?? 'internet-facing';
  const existing = [...state.loadBalancers.values()].find((r) => r.description.LoadBalancerName === name);
  if (existing) {
    const sameSubnets = sameSet(existing.description.AvailabilityZones!.map((z) => z.SubnetId!), subnetIds);
    if (!sameSubnets || existing.description.Scheme !== scheme) throw new AwsError('DuplicateLoadBalancerName', `A load balancer with the same name '${name}' exists, but with different settings`);
    return { LoadBalancers: [existing.description] };
  }
  if (state.loadBalancers.size >= LIMITS.loadBalancers) throw new AwsError('TooManyLoadBalancers', `You have reached the quota of ${LIMITS.loadBalancers} load balancers`);
  const id = elbId();
  const arn = state.arn(`loadbalancer/app/${name}/${id}`);
  if (input.Tags?.length) checkTags(state, arn, input.Tags);
  const description: LoadBalancer = {
    LoadBalancerArn: arn,
    DNSName: `${scheme === 'internal' ? 'internal-' : ''}${name}-${String(Math.floor(Math.random() * 1e9))}.${state.region}.elb.amazonaws.com`,
    CanonicalHostedZoneId: HOSTED_ZONE_ID,
    CreatedTime: new Date(),
    LoadBalancerName: name,
    Scheme: scheme,
    VpcId: subnets[0]!.VpcId,
    State: { Code: 'active' },
    Type: 'application',
    AvailabilityZones: subnets.map((s) => ({ ZoneName: s.AvailabilityZone, SubnetId: s.SubnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: input.SecurityGroups ?? [],
    IpAddressType: input.IpAddressType ?? 'ipv4',
  };
  state.loadBalancers.set(arn, { description, attributes: defaultAttributes(LOAD_BALANCER_ATTRIBUTES), dimension: `app/${name}/${id}` });
  if (input.Tags?.length) setTags(state, arn, input.Tags);
  deps.log('elbv2', 'load-balancer-created', { loadBalancer: name });
  return { LoadBalancers: [description] };
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}
