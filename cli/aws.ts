// Every AWS client the CLI uses, built in this one place. Without endpoints
// the SDK's standard chain picks region and credentials (environment, shared
// profile, SSO, instance role); with them (`--local`, tests) every client
// talks to those endpoints with the given region and credentials.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsCredentialIdentity } from '@aws-sdk/types';
import { call } from '../functions/adapters/aws-errors.ts';
import type { ServiceConfig } from '../functions/core/config.ts';
import type { ServiceAdapters } from '../functions/steps/deps.ts';
import { serviceAdapterFactory, type ClientOptions } from '../functions/steps/service-adapters.ts';

export interface AwsTarget {
  region?: string;
  credentials?: AwsCredentialIdentity;
  /** ELBv2, Auto Scaling, EC2, CloudWatch and STS; Step Functions; DynamoDB. */
  endpoints?: { aws: string; stepFunctions: string; dynamodb: string };
}

export interface CliAws {
  /** Per service (a service's `roleArn` is assumed, as the workflow does). */
  adapters(service: ServiceConfig): ServiceAdapters;
  sfn: SFNClient;
  /** EC2 in the given region, with the caller's own credentials (`bluegreen validate --aws` reads launch templates). */
  ec2(region: string): EC2Client;
  dynamodb: DynamoDBDocumentClient;
  /** The caller's ARN, as STS sees it. */
  callerArn(): Promise<string>;
}

export function connectAws(target: AwsTarget): CliAws {
  const base: ClientOptions = {
    ...(target.region ? { region: target.region } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
  };
  const at = (endpoint: string | undefined): ClientOptions => (endpoint ? { ...base, endpoint } : base);
  const sts = new STSClient(at(target.endpoints?.aws));
  return {
    adapters: serviceAdapterFactory(at(target.endpoints?.aws)),
    sfn: new SFNClient(at(target.endpoints?.stepFunctions)),
    ec2: (region) => new EC2Client({ ...at(target.endpoints?.aws), ...(target.endpoints ? {} : { region }) }),
    dynamodb: DynamoDBDocumentClient.from(new DynamoDBClient(at(target.endpoints?.dynamodb)), { marshallOptions: { removeUndefinedValues: true } }),
    async callerArn() {
      const identity = await call('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
      return identity.Arn ?? 'unknown';
    },
  };
}
