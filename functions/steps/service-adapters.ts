// Builds a service's AWS adapters once per role: the function's own
// credentials, or a role assumed for a service in another account.
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { ServiceConfig } from '../core/config.ts';
import { createAlarms } from '../adapters/alarms.ts';
import { call } from '../adapters/aws-errors.ts';
import { createFleet } from '../adapters/fleet.ts';
import { createTrafficRouter } from '../adapters/router.ts';
import { createTargetGroups } from '../adapters/target-groups.ts';
import type { ServiceAdapters } from './deps.ts';

export interface ClientOptions {
  region?: string;
  endpoint?: string;
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  maxAttempts?: number;
}

export function adaptersFor(options: ClientOptions = {}): ServiceAdapters {
  return {
    router: createTrafficRouter(new ElasticLoadBalancingV2Client(options)),
    targetGroups: createTargetGroups(new ElasticLoadBalancingV2Client(options)),
    fleet: createFleet(new AutoScalingClient(options), new EC2Client(options)),
    alarms: createAlarms(new CloudWatchClient(options)),
  };
}

/** One set of adapters per role (the function's own credentials for services without `roleArn`). */
export function serviceAdapterFactory(options: ClientOptions = {}): (service: ServiceConfig) => ServiceAdapters {
  const cache = new Map<string, ServiceAdapters>();
  return (service) => {
    const key = service.roleArn ?? '';
    let adapters = cache.get(key);
    if (!adapters) {
      adapters = adaptersFor(service.roleArn ? { ...options, credentials: assumedRole(service.roleArn, options) } : options);
      cache.set(key, adapters);
    }
    return adapters;
  };
}

/** Credentials of `roleArn`, refreshed five minutes before they expire. */
function assumedRole(roleArn: string, options: ClientOptions): AwsCredentialIdentityProvider {
  const sts = new STSClient(options);
  let current: AwsCredentialIdentity | undefined;
  return async () => {
    if (current?.expiration && current.expiration.getTime() - Date.now() > 5 * 60_000) return current;
    const { Credentials: c } = await call('sts:AssumeRole', () => sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'bluegreen', DurationSeconds: 3600 })));
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`sts:AssumeRole on ${roleArn} returned no credentials`);
    current = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return current;
  };
}
