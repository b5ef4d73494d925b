// Lambda entry point of every workflow task. The state machine calls it with
// `{ step, state, execution, token? }`; see functions/steps/index.ts.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import middy from '@middy/core';
import { createExecutions } from './adapters/executions.ts';
import { createProbe } from './adapters/probe.ts';
import { createDeploymentStore } from './adapters/store.ts';
import { optionalSecret, secretStores } from './lib/secrets.ts';
import { loadSettings } from './lib/settings.ts';
import { createSlackApi } from './lib/slack-api.ts';
import { createStepRunner } from './steps/index.ts';
import { serviceAdapterFactory } from './steps/service-adapters.ts';

const logger = new Logger({ serviceName: 'bluegreen-step' });
const settings = loadSettings(process.env);
const slackBotToken = optionalSecret(process.env, 'SLACK_BOT_TOKEN', secretStores(new SSMClient({})));
// The probe function in the VPC, for `smokeTest.from: 'vpc'`: set by the stack
// when it is deployed with the probe parameters (serverless.yml).
const probeFunction = process.env.PROBE_FUNCTION;

export const handler = middy(
  createStepRunner({
    config: settings.config,
    adapters: serviceAdapterFactory(),
    store: createDeploymentStore(DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), settings.tableName),
    executions: createExecutions(new SFNClient({}), settings.stateMachineArn),
    now: Date.now,
    fetch: globalThis.fetch,
    logger,
    ...(slackBotToken ? { slack: createSlackApi({ botToken: slackBotToken }) } : {}),
    ...(probeFunction ? { probe: createProbe(new LambdaClient({}), probeFunction) } : {}),
  }),
).use(injectLambdaContext(logger, { clearState: true }));
