// The AWS API backends the adapter tests run against, each started once per
// test file on a free loopback port. A backend that is not installed stays
// in the list and its tests are skipped (loudly, see `motoAvailable`), so a
// missing emulator never reads as a pass.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startLocalCloud } from '../../local/cloud/local-cloud.ts';
import { emulatorClientConfig, motoAvailable, startMoto, type RunningServer } from './servers.ts';

export interface Backend {
  name: string;
  available: boolean;
  start(): Promise<RunningServer>;
}

/** The local cloud with in-process instances: its API answers must agree with moto's on every call we make. */
async function startInlineLocalCloud(): Promise<RunningServer> {
  const cloud = await startLocalCloud({ instanceMode: 'inline', timeScale: 0.02 });
  return { endpoint: cloud.endpoint, stop: () => cloud.stop() };
}

export const backends: Backend[] = [
  { name: 'moto', available: motoAvailable, start: startMoto },
  { name: 'local cloud', available: true, start: startInlineLocalCloud },
];

export interface AwsClients {
  elbv2: ElasticLoadBalancingV2Client;
  autoScaling: AutoScalingClient;
  ec2: EC2Client;
  cloudWatch: CloudWatchClient;
}

/**
 * Starts `backend` for the enclosing `describe` and stops it afterwards;
 * returns a getter for SDK clients bound to it. Skips every test of the
 * `describe` when the backend is not installed.
 */
export function useBackend(backend: Backend): () => AwsClients {
  let server: RunningServer | undefined;
  let clients: AwsClients | undefined;

  beforeAll(async () => {
    if (!backend.available) return;
    server = await backend.start();
    const config = emulatorClientConfig(server.endpoint);
    clients = {
      elbv2: new ElasticLoadBalancingV2Client(config),
      autoScaling: new AutoScalingClient(config),
      ec2: new EC2Client(config),
      cloudWatch: new CloudWatchClient(config),
    };
  });
  beforeEach((context) => {
    if (!backend.available) context.skip(`${backend.name} is not installed`);
  });
  afterAll(async () => {
    if (clients) {
      const { elbv2, autoScaling, ec2, cloudWatch } = clients;
      for (const client of [elbv2, autoScaling, ec2, cloudWatch]) client.destroy();
    }
    await server?.stop();
  });

  return () => {
    if (!clients) throw new Error(`${backend.name} was not started`);
    return clients;
  };
}
