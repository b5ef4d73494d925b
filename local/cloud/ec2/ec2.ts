// Amazon EC2 of the local cloud: the EC2 Query dialect (version 2016-11-15)
// over VPCs, subnets, launch templates and instances.
import type { QueryService } from '../api-server.ts';
import type { Log } from '../log.ts';
import { operationTable } from '../protocol/operation.ts';
import { instanceOperations } from './instance-operations.ts';
import type { Instances } from './instances.ts';
import type { LaunchTemplates } from './launch-templates.ts';
import type { Network } from './network.ts';

export function ec2Endpoint(network: Network, launchTemplates: LaunchTemplates, instances: Instances, log: Log): QueryService {
  return {
    name: 'ec2',
    protocol: 'query',
    version: '2016-11-15',
    dialect: { xmlNamespace: 'http://ec2.amazonaws.com/doc/2016-11-15/', ec2: true },
    operations: operationTable([...network.operations(), ...launchTemplates.operations(), ...instanceOperations(instances, network, launchTemplates, log)]),
  };
}
