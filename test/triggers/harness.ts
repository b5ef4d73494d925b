// What the trigger tests share: dynalite for the store, moto for Step
// Functions (it really runs the state machine, so a resumed wait is seen to
// resume), the services configuration, a Lambda context and log capture.
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { vi } from 'vitest';
import { createExecutions, type Executions } from '../../functions/adapters/executions.ts';
import { createDeploymentStore, deploymentTableDefinition, type DeploymentStore } from '../../functions/adapters/store.ts';
import { parseConfig, type Config } from '../../functions/core/config.ts';
import { emulatorClientConfig, startDynalite, startMoto, type RunningServer } from '../support/servers.ts';

const TOKENS_TABLE = 'task-tokens';

function service(name: string, github: Record<string, unknown>, slack: Record<string, unknown> = {}) {
  return {
    name,
    github,
    listener: {
      loadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/${name}/50dc6c495c0c9188`,
      listenerArn: `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/${name}/50dc6c495c0c9188/f2f7dc8efc522ab2`,
    },
    launchTemplate: { id: 'lt-0123456789abcdef0' },
    subnets: ['subnet-a', 'subnet-b'],
    targetGroup: { vpcId: 'vpc-1' },
    slack,
  };
}

/** web and api live in acme/shop (api only under services/api/, a newer push aborts the running one); docs reads its version from a file. */
export const CONFIG_DOCUMENT = {
  services: [
    service('web', { repository: 'acme/shop', branch: 'main' }, { channels: ['C0DEPLOYS'], users: ['U0RELEASER'], groups: ['S0ONCALL'] }),
    { ...service('api', { repository: 'acme/shop', branch: 'main', paths: ['services/api/'] }, { users: ['U0RELEASER'] }), onPush: 'supersede' },
    service('docs', { repository: 'acme/docs', branch: 'main', manifest: 'VERSION' }),
  ],
};
export const CONFIG: Config = parseConfig(CONFIG_DOCUMENT);

export interface Emulators {
  dynamo: DynamoDBDocumentClient;
  sfn: SFNClient;
  /** DynamoDB of moto, where the test state machine leaves its task tokens. */
  motoDynamo: DynamoDBDocumentClient;
  motoEndpoint: string;
  stop(): Promise<void>;
}

export async function startEmulators(): Promise<Emulators> {
  const [dynalite, moto] = await Promise.all([startDynalite(), startMoto()]);
  const config = (server: RunningServer) => emulatorClientConfig(server.endpoint);
  // Run executions for real: waits get task tokens that SendTaskSuccess resumes.
  await fetch(`${moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }) });
  const motoDynamo = DynamoDBDocumentClient.from(new DynamoDBClient(config(moto)));
  await motoDynamo.send(
    new CreateTableCommand({
      TableName: TOKENS_TABLE,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    }),
  );
  return {
    dynamo: DynamoDBDocumentClient.from(new DynamoDBClient(config(dynalite))),
    sfn: new SFNClient(config(moto)),
    motoDynamo,
    motoEndpoint: moto.endpoint,
    stop: async () => {
      await Promise.all([dynalite.stop(), moto.stop()]);
    },
  };
}

/** One test's own table and state machine, so counts never mix between tests. */
export interface World {
  tableName: string;
  stateMachineArn: string;
  store: DeploymentStore;
  executions: Executions;
  /** Executions of this test's state machine (name, status, parsed input). */
  listExecutions(): Promise<{ name: string; status: string; input: unknown }[]>;
  /** The task token the execution waits with (polls until the wait is entered). */
  taskToken(executionName: string): Promise<string>;
  /** The output of a finished execution, once it has finished. */
  outputOf(executionName: string): Promise<unknown>;
}

/**
 * The test state machine: the deployment waits for a signal (as the real
 * workflow's holds do) and ends with the signal as its output.
 */
const WAITING_DEFINITION = {
  StartAt: 'Hold',
  States: {
    Hold: {
      Type: 'Task',
      Resource: 'arn:aws:states:::aws-sdk:dynamodb:putItem.waitForTaskToken',
      Parameters: { TableName: TOKENS_TABLE, Item: { pk: { 'S.$': '$$.Execution.Id' }, token: { 'S.$': '$$.Task.Token' } } },
      End: true,
    },
  },
};

export async function newWorld(emulators: Emulators): Promise<World> {
  const id = randomBytes(4).toString('hex');
  const tableName = `deployments-${id}`;
  await emulators.dynamo.send(new CreateTableCommand(deploymentTableDefinition(tableName)));
  const machine = await emulators.sfn.send(
    new CreateStateMachineCommand({ name: `deploy-${id}`, definition: JSON.stringify(WAITING_DEFINITION), roleArn: 'arn:aws:iam::123456789012:role/sfn' }),
  );
  const stateMachineArn = machine.stateMachineArn!;
  const executions = createExecutions(emulators.sfn, stateMachineArn);
  return {
    tableName,
    stateMachineArn,
    store: createDeploymentStore(emulators.dynamo, tableName),
    executions,
    async listExecutions() {
      const out = await emulators.sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      return Promise.all(
        (out.executions ?? []).map(async (e) => {
          const described = await emulators.sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
          return { name: e.name!, status: e.status!, input: JSON.parse(described.input ?? 'null') as unknown };
        }),
      );
    },
    async taskToken(executionName) {
      return eventually(async () => {
        const out = await emulators.motoDynamo.send(new GetCommand({ TableName: TOKENS_TABLE, Key: { pk: executions.arnOf(executionName) } }));
        return out.Item?.token as string | undefined;
      }, `task token of ${executionName}`);
    },
    async outputOf(executionName) {
      return eventually(async () => {
        const out = await emulators.sfn.send(new DescribeExecutionCommand({ executionArn: executions.arnOf(executionName) }));
        return out.status === 'RUNNING' ? undefined : (JSON.parse(out.output ?? 'null') as unknown);
      }, `end of ${executionName}`);
    },
  };
}

async function eventually<T>(read: () => Promise<T | undefined>, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export function lambdaContext(functionName = 'bluegreen-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomBytes(8).toString('hex'),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/22/[$LATEST]test',
    getRemainingTimeInMillis: () => 30_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Collects everything written to stdout and stderr (the loggers' output) until restored. */
export function captureOutput(): { text(): string; restore(): void } {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(keep);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(keep);
  return {
    text: () => chunks.join(''),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}
