// Builds a service's AWS adapters once per role and region: the function's
// own credentials, or a role assumed for a service in another account; the
// region is the one the service's listener lives in (its ARN says it), not
// the function's own: an ARN names one region's resource, and a client signed
// for another region is answered "not found".
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

/** One set of adapters per role and region (the function's own credentials for services without `roleArn`). */
export function serviceAdapterFactory(options: ClientOptions = {}): (service: ServiceConfig) => ServiceAdapters {
  const cache = new Map<string, ServiceAdapters>();
  return (service) => {
    const region = regionOf(service.listener.listenerArn) ?? options.region;
    const regional = region ? { ...options, region } : options;
    const key = `${service.roleArn ?? ''} ${region ?? ''}`;
    let adapters = cache.get(key);
    if (!adapters) {
      adapters = adaptersFor(service.roleArn ? { ...regional, credentials: assumedRole(service.roleArn, regional) } : regional);
      cache.set(key, adapters);
    }
    return adapters;
  };
}

/** `arn:aws:elasticloadbalancing:eu-west-1:111122223333:listener/…` → `eu-west-1`; undefined for anything else. */
export function regionOf(arn: string): string | undefined {
  const region = arn.split(':')[3];
  return arn.startsWith('arn:') && region ? region : undefined;
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
