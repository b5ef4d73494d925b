// The AWS side of an entry point, built once per cold start from the
// environment. SDK v3 reads the region and credentials from it, and
// `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT_URL_<SERVICE>`) points it at an emulator.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createExecutions, type Executions } from '../adapters/executions.ts';
import { createDeploymentStore, type DeploymentStore } from '../adapters/store.ts';
import { secretStores, type SecretStores } from './secrets.ts';
import type { Settings } from './settings.ts';

export interface AwsClients {
  store: DeploymentStore;
  executions: Executions;
  secrets: SecretStores;
}

export function awsClients(settings: Settings): AwsClients {
  return {
    store: createDeploymentStore(DynamoDBDocumentClient.from(new DynamoDBClient({})), settings.tableName),
    executions: createExecutions(new SFNClient({}), settings.stateMachineArn),
    secrets: secretStores(new SSMClient({})),
  };
}
