// The deployment engine run locally: the real statemachines/deploy.asl.json
// on the local Step Functions runtime, every Task state handled by the real
// step runner (functions/steps), the store on a DynamoDB endpoint (dynalite),
// AWS calls to any endpoint (moto or the local cloud). Only endpoints and the
// time scale differ from AWS.
import { Logger } from '@aws-lambda-powertools/logger';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { readFileSync } from 'node:fs';
import type { Config } from '../functions/core/config.ts';
import { createExecutions, type Executions } from '../functions/adapters/executions.ts';
import { createDeploymentStore, deploymentTableDefinition, type DeploymentStore } from '../functions/adapters/store.ts';
import type { SlackApi } from '../functions/lib/slack-api.ts';
import type { StepDeps } from '../functions/steps/deps.ts';
import { createStepRunner, type StepEvent } from '../functions/steps/index.ts';
import { serviceAdapterFactory } from '../functions/steps/service-adapters.ts';
import { createStepFunctionsRuntime, startStepFunctionsServer, type StepFunctionsRuntime } from './stepfunctions/index.ts';

const DEFINITION_FILE = new URL('../statemachines/deploy.asl.json', import.meta.url);
export const STEP_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:bluegreen-step';
const CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REGION = 'us-east-1';

export interface LocalEngineOptions {
  config: Config;
  /** ELBv2, Auto Scaling, EC2, CloudWatch: moto or the local cloud. */
  awsEndpoint: string;
  dynamodbEndpoint: string;
  tableName?: string;
  /** Real seconds per workflow second: 0.01 turns a 15 s poll into 0.15 s. */
  timeScale?: number;
  logger?: Logger;
  fetch?: typeof globalThis.fetch;
  /** Posts and updates deployment messages (the rehearsal logs them; tests record them). */
  slack?: SlackApi;
  /** Called with every step event before it runs (tests use it to act between steps). */
  beforeStep?: (event: StepEvent) => Promise<void> | void;
  /** Called with every step event once the step has returned (tests use it to know a hold has read its alarms). */
  afterStep?: (event: StepEvent) => Promise<void> | void;
}

export interface LocalEngine {
  runtime: StepFunctionsRuntime;
  stateMachineArn: string;
  /** The Step Functions endpoint (AWS JSON 1.0) for ordinary SFN clients. */
  stepFunctionsEndpoint: string;
  store: DeploymentStore;
  executions: Executions;
  deps: StepDeps;
  /** Workflow time in ms: real time since start divided by the time scale. */
  now(): number;
  stop(): Promise<void>;
}

export function clientConfig(endpoint: string) {
  return { endpoint, region: REGION, credentials: CREDENTIALS };
}

export async function startLocalEngine(options: LocalEngineOptions): Promise<LocalEngine> {
  const timeScale = options.timeScale ?? 1;
  const tableName = options.tableName ?? 'bluegreen';
  const started = Date.now();
  const now = () => started + (Date.now() - started) / timeScale;

  const dynamo = new DynamoDBClient(clientConfig(options.dynamodbEndpoint));
  await dynamo.send(new CreateTableCommand(deploymentTableDefinition(tableName))).catch((error: Error) => {
    if (error.name !== 'ResourceInUseException') throw error;
  });
  const store = createDeploymentStore(DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } }), tableName, {
    now: () => new Date(now()),
  });

  // The step runner needs the executions, which need the state machine: it is set below.
  const steps = { run: (_event: StepEvent): Promise<unknown> => Promise.reject(new Error('the local engine is not started')) };
  const runtime = createStepFunctionsRuntime({
    timeScale,
    taskHandler: async (_stateName, _resource, input) => {
      const event = input as unknown as StepEvent;
      await options.beforeStep?.(event);
      const next = await steps.run(event);
      await options.afterStep?.(event);
      return next;
    },
  });
  const { stateMachineArn } = runtime.createStateMachine({
    name: 'bluegreen-deploy',
    definition: readFileSync(DEFINITION_FILE, 'utf8'),
    definitionSubstitutions: { StepFunctionArn: STEP_FUNCTION_ARN },
  });
  const server = await startStepFunctionsServer(runtime);
  const executions = createExecutions(new SFNClient(clientConfig(server.endpoint)), stateMachineArn!);

  const deps: StepDeps = {
    config: options.config,
    adapters: serviceAdapterFactory({ ...clientConfig(options.awsEndpoint), maxAttempts: 1 }),
    store,
    executions,
    now,
    fetch: options.fetch ?? globalThis.fetch,
    logger: options.logger ?? new Logger({ serviceName: 'bluegreen-step', logLevel: 'SILENT' }),
    ...(options.slack ? { slack: options.slack } : {}),
  };
  steps.run = createStepRunner(deps);

  return {
    runtime,
    stateMachineArn: stateMachineArn!,
    stepFunctionsEndpoint: server.endpoint,
    store,
    executions,
    deps,
    now,
    async stop() {
      await runtime.shutdown();
      await server.close();
      dynamo.destroy();
    },
  };
}
