// EC2 instance calls: DescribeInstances (instances of Auto Scaling groups
// included, with their tags), and RunInstances / TerminateInstances for
// instances outside any group (each one runs the sample app too).
import type {
  _InstanceType,
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  Instance,
  InstanceStateName,
  RunInstancesCommandInput,
  RunInstancesCommandOutput,
  TerminateInstancesCommandInput,
  TerminateInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import { DescribeInstances$, RunInstances$, TerminateInstances$ } from '@aws-sdk/client-ec2';
import { AwsError } from '../aws-error.ts';
import { ACCOUNT_ID, hexId } from '../ids.ts';
import type { Log } from '../log.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { matchesFilters, tagsFor } from './filters.ts';
import type { Ec2Instance, Instances } from './instances.ts';
import type { LaunchTemplates } from './launch-templates.ts';
import { requireParameter, type Network } from './network.ts';

const STATE_CODES: Record<InstanceStateName, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };
const MAX_RUN = 20;

export function instanceOperations(instances: Instances, network: Network, launchTemplates: LaunchTemplates, log: Log): Operation[] {
  return [
    operation(DescribeInstances$, (input: DescribeInstancesCommandInput): Answer<DescribeInstancesCommandOutput> => {
      const ids = input.InstanceIds ?? [];
      for (const id of ids) if (!instances.get(id)) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
      const chosen = instances
        .all()
        .filter((i) => !ids.length || ids.includes(i.id))
        .filter((i) => matchesFilters(input.Filters, { 'instance-id': i.id, 'instance-state-name': i.state, 'subnet-id': i.subnetId, 'vpc-id': i.vpcId, 'availability-zone': i.availabilityZone }, i.tags));
      return { Reservations: chosen.map((i) => ({ ReservationId: `r-${i.id.slice(2)}`, OwnerId: ACCOUNT_ID, Groups: [], Instances: [describeInstance(i)] })) };
    }),
    operation(RunInstances$, (input: RunInstancesCommandInput): Answer<RunInstancesCommandOutput> => {
      const max = requireParameter(input.MaxCount, 'MaxCount');
      if (requireParameter(input.MinCount, 'MinCount') > max || max > MAX_RUN) throw new AwsError('InvalidParameterValue', `MinCount must be at most MaxCount, and MaxCount at most ${MAX_RUN}`);
      const subnet = network.requireSubnet(requireParameter(input.SubnetId, 'SubnetId'));
      const template = input.LaunchTemplate ? launchTemplates.resolve(input.LaunchTemplate).version : undefined;
      const data = { ...template?.LaunchTemplateData, ...(input.ImageId ? { ImageId: input.ImageId } : {}), ...(input.InstanceType ? { InstanceType: input.InstanceType } : {}), ...(input.UserData ? { UserData: input.UserData } : {}) };
      const launched = Array.from({ length: max }, () => {
        const { instance, running } = instances.launch({ ...template, LaunchTemplateData: data }, subnet, tagsFor('instance', input.TagSpecifications));
        running.catch((err: unknown) => log('ec2', 'run-instance-failed', { instanceId: instance.id, error: String(err) }));
        return instance;
      });
      return { ReservationId: `r-${hexId(17)}`, OwnerId: ACCOUNT_ID, Groups: [], Instances: launched.map(describeInstance) };
    }),
    operation(TerminateInstances$, (input: TerminateInstancesCommandInput): Answer<TerminateInstancesCommandOutput> => {
      const ids = requireParameter(input.InstanceIds, 'InstanceIds');
      const found = ids.map((id) => {
        const instance = instances.get(id);
        if (!instance) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
        return instance;
      });
      const changes = found.map((i) => ({ InstanceId: i.id, PreviousState: state(i.state), CurrentState: state(i.state === 'terminated' ? 'terminated' : 'shutting-down') }));
      for (const instance of found) void instances.terminate(instance.id);
      return { TerminatingInstances: changes };
    }),
  ];
}

function state(name: InstanceStateName) {
  return { Code: STATE_CODES[name], Name: name };
}

function describeInstance(i: Ec2Instance): Instance {
  return {
    InstanceId: i.id,
    ImageId: i.imageId,
    InstanceType: i.instanceType as _InstanceType,
    State: state(i.state),
    SubnetId: i.subnetId,
    VpcId: i.vpcId,
    Placement: { AvailabilityZone: i.availabilityZone, Tenancy: 'default' },
    PrivateIpAddress: '127.0.0.1',
    LaunchTime: i.launchedAt,
    Tags: i.tags,
    AmiLaunchIndex: 0,
    Architecture: 'x86_64',
    RootDeviceType: 'ebs',
    VirtualizationType: 'hvm',
    Hypervisor: 'xen',
  };
}
