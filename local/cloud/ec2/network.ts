// VPCs and subnets: only what a load balancer and an Auto Scaling group need
// (ids, CIDR ranges, availability zones, tags). Nothing is routed by them.
import type {
  CreateSubnetCommandInput,
  CreateSubnetCommandOutput,
  CreateVpcCommandInput,
  CreateVpcCommandOutput,
  DescribeSubnetsCommandInput,
  DescribeSubnetsCommandOutput,
  DescribeVpcsCommandInput,
  DescribeVpcsCommandOutput,
  Subnet,
  Tag,
  Vpc,
} from '@aws-sdk/client-ec2';
import { CreateSubnet$, CreateVpc$, DescribeSubnets$, DescribeVpcs$ } from '@aws-sdk/client-ec2';
import { AwsError } from '../aws-error.ts';
import { ACCOUNT_ID, hexId } from '../ids.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { matchesFilters, tagsFor } from './filters.ts';

const AVAILABILITY_ZONE_LETTERS = ['a', 'b', 'c', 'd', 'e', 'f'];

interface Cidr {
  base: number;
  prefix: number;
}

export class Network {
  private readonly region: string;
  private readonly vpcs = new Map<string, { vpc: Vpc; cidr: Cidr }>();
  private readonly subnets = new Map<string, { subnet: Subnet; cidr: Cidr }>();

  constructor(region: string) {
    this.region = region;
  }

  vpc(vpcId: string): Vpc | undefined {
    return this.vpcs.get(vpcId)?.vpc;
  }

  subnet(subnetId: string): Subnet | undefined {
    return this.subnets.get(subnetId)?.subnet;
  }

  /** The subnet, or EC2's `InvalidSubnetID.NotFound`. */
  requireSubnet(subnetId: string): Subnet {
    const subnet = this.subnet(subnetId);
    if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
    return subnet;
  }

  operations(): Operation[] {
    return [
      operation(CreateVpc$, (input: CreateVpcCommandInput) => this.createVpc(input)),
      operation(DescribeVpcs$, (input: DescribeVpcsCommandInput) => this.describeVpcs(input)),
      operation(CreateSubnet$, (input: CreateSubnetCommandInput) => this.createSubnet(input)),
      operation(DescribeSubnets$, (input: DescribeSubnetsCommandInput) => this.describeSubnets(input)),
    ];
  }

  private createVpc(input: CreateVpcCommandInput): Answer<CreateVpcCommandOutput> {
    const cidrBlock = requireParameter(input.CidrBlock, 'CidrBlock');
    const cidr = parseCidr(cidrBlock, 'InvalidVpc.Range');
    const vpcId = `vpc-${hexId(17)}`;
    const vpc: Vpc = {
      VpcId: vpcId,
      CidrBlock: cidrBlock,
      State: 'available',
      OwnerId: ACCOUNT_ID,
      InstanceTenancy: input.InstanceTenancy ?? 'default',
      IsDefault: false,
      DhcpOptionsId: `dopt-${hexId(17)}`,
      CidrBlockAssociationSet: [{ AssociationId: `vpc-cidr-assoc-${hexId(17)}`, CidrBlock: cidrBlock, CidrBlockState: { State: 'associated' } }],
      Tags: tagsFor('vpc', input.TagSpecifications),
    };
    this.vpcs.set(vpcId, { vpc, cidr });
    return { Vpc: vpc };
  }

  private describeVpcs(input: DescribeVpcsCommandInput): Answer<DescribeVpcsCommandOutput> {
    for (const id of input.VpcIds ?? []) {
      if (!this.vpcs.has(id)) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`);
    }
    const vpcs = [...this.vpcs.values()]
      .map((v) => v.vpc)
      .filter((v) => !input.VpcIds?.length || input.VpcIds.includes(v.VpcId!))
      .filter((v) => matchesFilters(input.Filters, { 'vpc-id': v.VpcId, 'cidr-block': v.CidrBlock, state: v.State }, v.Tags ?? []));
    return { Vpcs: vpcs };
  }

  private createSubnet(input: CreateSubnetCommandInput): Answer<CreateSubnetCommandOutput> {
    const vpcId = requireParameter(input.VpcId, 'VpcId');
    const cidrBlock = requireParameter(input.CidrBlock, 'CidrBlock');
    const vpc = this.vpcs.get(vpcId);
    if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
    const cidr = parseCidr(cidrBlock, 'InvalidSubnet.Range');
    if (!contains(vpc.cidr, cidr)) throw new AwsError('InvalidSubnet.Range', `The CIDR '${cidrBlock}' is invalid.`);
    const siblings = [...this.subnets.values()].filter((s) => s.subnet.VpcId === vpcId);
    if (siblings.some((s) => overlaps(s.cidr, cidr))) throw new AwsError('InvalidSubnet.Conflict', `The CIDR '${cidrBlock}' conflicts with another subnet`);
    const zone = input.AvailabilityZone ?? `${this.region}${AVAILABILITY_ZONE_LETTERS[siblings.length % AVAILABILITY_ZONE_LETTERS.length]}`;
    if (!zone.startsWith(this.region)) throw new AwsError('InvalidParameterValue', `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${this.region}a, ${this.region}b, ${this.region}c.`);
    const subnetId = `subnet-${hexId(17)}`;
    const subnet: Subnet = {
      SubnetId: subnetId,
      SubnetArn: `arn:aws:ec2:${this.region}:${ACCOUNT_ID}:subnet/${subnetId}`,
      VpcId: vpcId,
      CidrBlock: cidrBlock,
      AvailabilityZone: zone,
      AvailabilityZoneId: `${zoneIdPrefix(this.region)}-az${AVAILABILITY_ZONE_LETTERS.indexOf(zone.slice(-1)) + 1}`,
      State: 'available',
      AvailableIpAddressCount: 2 ** (32 - cidr.prefix) - 5,
      DefaultForAz: false,
      MapPublicIpOnLaunch: false,
      OwnerId: ACCOUNT_ID,
      Tags: tagsFor('subnet', input.TagSpecifications),
    };
    this.subnets.set(subnetId, { subnet, cidr });
    return { Subnet: subnet };
  }

  private describeSubnets(input: DescribeSubnetsCommandInput): Answer<DescribeSubnetsCommandOutput> {
    for (const id of input.SubnetIds ?? []) {
      if (!this.subnets.has(id)) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
    }
    const subnets = [...this.subnets.values()]
      .map((s) => s.subnet)
      .filter((s) => !input.SubnetIds?.length || input.SubnetIds.includes(s.SubnetId!))
      .filter((s) =>
        matchesFilters(
          input.Filters,
          { 'vpc-id': s.VpcId, 'subnet-id': s.SubnetId, 'availability-zone': s.AvailabilityZone, 'cidr-block': s.CidrBlock, state: s.State },
          s.Tags ?? ([] as Tag[]),
        ),
      );
    return { Subnets: subnets };
  }
}

/** EC2's `MissingParameter` for an absent required parameter. */
export function requireParameter<T>(value: T | undefined, name: string): T {
  if (value === undefined || value === null || value === '') throw new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
  return value;
}

function parseCidr(text: string, code: string): Cidr {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix < 16 || prefix > 28) throw new AwsError(code, `The CIDR '${text}' is invalid.`);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  return { base: base - (base % 2 ** (32 - prefix)), prefix };
}

function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

function zoneIdPrefix(region: string): string {
  const [area = 'us', direction = 'east', number = '1'] = region.split('-');
  return `${area}${direction.charAt(0)}${number}`;
}
