// A service's AWS clients talk to the region its listener lives in, whatever
// region the function runs in. moto keeps each region apart, as AWS does.
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type ServiceConfig } from '../../functions/core/config.ts';
import { releaseTags } from '../../functions/core/names.ts';
import { defaultSettings } from '../../functions/steps/create-target-group.ts';
import { serviceAdapterFactory } from '../../functions/steps/service-adapters.ts';
import { seedInfrastructure, type SeededInfrastructure } from '../../local/seed.ts';
import { emulatorClientConfig, motoAvailable, startMoto, type RunningServer } from '../support/servers.ts';

describe.skipIf(!motoAvailable)('service adapters (moto)', () => {
  let moto: RunningServer;
  let infra: SeededInfrastructure;
  let service: ServiceConfig;
  const inIreland = () => ({ ...emulatorClientConfig(moto.endpoint), region: 'eu-west-1' });

  beforeAll(async () => {
    moto = await startMoto();
    infra = await seedInfrastructure({ ec2: new EC2Client(inIreland()), elbv2: new ElasticLoadBalancingV2Client(inIreland()) }, { name: 'ireland' });
    service = parseConfig({
      services: [
        {
          name: 'web',
          github: { repository: 'acme/web' },
          listener: { loadBalancerArn: infra.loadBalancerArn, listenerArn: infra.listenerArn },
          launchTemplate: { id: infra.launchTemplateId },
          subnets: infra.subnetIds,
          targetGroup: { vpcId: infra.vpcId },
        },
      ],
    }).services[0]!;
  });
  afterAll(() => moto?.stop());

  it('reads and writes a service in another region than the function, in its listener’s region', async () => {
    // Prepare: the function runs in us-east-1; the service's load balancer is in eu-west-1.
    expect(infra.listenerArn).toContain(':eu-west-1:');
    const adapters = serviceAdapterFactory({ ...emulatorClientConfig(moto.endpoint), region: 'us-east-1' })(service);

    // Act
    const listener = await adapters.router.readListener(infra.listenerArn);
    const created = await adapters.targetGroups.create('bg-web-1', defaultSettings(service), releaseTags('web', 1, 'v1'));

    // Assess: the target group exists in eu-west-1, and nothing was made in us-east-1.
    expect(listener.defaultAction).toMatchObject({ type: 'fixed-response', statusCode: 503 });
    expect(created).toContain(':eu-west-1:');
    const ireland = await new ElasticLoadBalancingV2Client(inIreland()).send(new DescribeTargetGroupsCommand({ Names: ['bg-web-1'] }));
    expect(ireland.TargetGroups?.map((g) => g.TargetGroupArn)).toEqual([created]);
    const virginia = await new ElasticLoadBalancingV2Client(emulatorClientConfig(moto.endpoint)).send(new DescribeTargetGroupsCommand({}));
    expect(virginia.TargetGroups ?? []).toEqual([]);
  });
});
