// One service deployed for real, end to end, for the reliability scenarios of
// the entry points and the data plane: the local cloud (a real load balancer
// on loopback, instances in-process), the real workflow on the local Step
// Functions runtime, the store on dynalite, and the real webhook, Slack and
// alarm handlers fed with signed requests (test/support/events.ts).
import { Logger } from '@aws-lambda-powertools/logger';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import { createHandler as createAlarmHandler, type AlarmOutcome } from '../../functions/alarm.ts';
import type { WaitKind } from '../../functions/adapters/store.ts';
import { parseConfig, type Config } from '../../functions/core/config.ts';
import type { SlackApi } from '../../functions/lib/slack-api.ts';
import { createHandler as createSlackHandler } from '../../functions/slack.ts';
import type { StepEvent } from '../../functions/steps/index.ts';
import { createHandler as createWebhookHandler } from '../../functions/webhook.ts';
import { startLocalCloud, type LocalCloud, type Realism } from '../../local/cloud/local-cloud.ts';
import { startDynalite } from '../../local/dynamodb.ts';
import { startLocalEngine, type LocalEngine } from '../../local/engine.ts';
import { seedInfrastructure } from '../../local/seed.ts';
import { lambdaContext } from '../triggers/harness.ts';
import { githubDelivery, slackCommand, TEST_GITHUB_SECRET, TEST_SLACK_SECRET, type GitHubOptions, type SlackOptions } from '../support/events.ts';

export const SERVICE = 'web';
export const RELEASER = 'U0RELEASER';
/** A release answers `{ version }`: the data plane tells which release served a request. */
export const GREEN_HEADER = { 'x-client-mode': 'green' };

export interface LiveOptions {
  strategy: Record<string, unknown>;
  /** Real seconds per AWS and workflow second, for the cloud and the workflow alike. */
  timeScale: number;
  /** Service settings over the defaults (bake, retention…). */
  service?: Record<string, unknown>;
  /** Loggers of the handlers and the steps; default silent. */
  logger?: (entryPoint: string) => Logger;
  beforeStep?: (event: StepEvent) => Promise<void> | void;
  /** AWS behaviours to turn off (local/cloud/realism.ts); all on by default. */
  realism?: Partial<Realism>;
}

export interface HttpAnswer {
  statusCode: number;
  body: Record<string, unknown> & { message?: string; text?: string };
}

export interface LiveService {
  cloud: LocalCloud;
  engine: LocalEngine;
  config: Config;
  url: string;
  /** A signed push of a commit whose manifest holds `version`. */
  pushEvent(version: string, options?: GitHubOptions & { forced?: boolean }): APIGatewayProxyEventV2;
  webhook(event: APIGatewayProxyEventV2): Promise<HttpAnswer>;
  /** Pushes `version` and returns the ARN of the execution it started (throws when it did not start one). */
  deploy(version: string): Promise<string>;
  slack(event: APIGatewayProxyEventV2): Promise<HttpAnswer>;
  command(text: string, options?: SlackOptions): Promise<HttpAnswer>;
  alarm(event: unknown): Promise<AlarmOutcome>;
  /** Until `executionArn` waits in `kind` (a finished execution may leave its last wait behind). */
  waitFor(kind: WaitKind, executionArn: string): Promise<void>;
  finished(executionArn: string): Promise<{ status: string; error?: string | undefined }>;
  /** Versions that served `count` requests through the listener (`<status> <body>` for an answer of the listener itself). */
  served(count: number, headers?: Record<string, string>): Promise<string[]>;
  /** Resolves once a listener change made now is seen by every request (the local cloud's propagation delay). */
  propagated(): Promise<void>;
  /** Every execution of the state machine, oldest first, with the version it deployed. */
  executions(): Array<{ arn: string; status: string; version: string }>;
  stop(): Promise<void>;
}

const silent = () => new Logger({ serviceName: 'bluegreen', logLevel: 'SILENT' });

export async function startLiveService(options: LiveOptions): Promise<LiveService> {
  const dynamodb = await startDynalite();
  const cloud = await startLocalCloud({ timeScale: options.timeScale, instanceMode: 'inline', ...(options.realism ? { realism: options.realism } : {}) });
  const infra = await seedInfrastructure({ ec2: new EC2Client(cloud.clientConfig()), elbv2: new ElasticLoadBalancingV2Client(cloud.clientConfig()) }, { name: SERVICE });
  const url = cloud.listenerUrl(infra.listenerArn);
  const config = parseConfig({
    services: [
      {
        name: SERVICE,
        github: { repository: 'acme/shop', branch: 'main', manifest: 'VERSION' },
        listener: { loadBalancerArn: infra.loadBalancerArn, listenerArn: infra.listenerArn },
        launchTemplate: { id: infra.launchTemplateId, versionVariable: 'APP_VERSION' },
        subnets: infra.subnetIds,
        capacity: { min: 2, max: 2, desired: 2 },
        targetGroup: { vpcId: infra.vpcId, healthCheckPath: '/health', healthCheckIntervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2, deregistrationDelaySeconds: 10 },
        strategy: options.strategy,
        // Instances boot 30 s and start their app 20 s before two 5 s health checks pass (local/cloud/realism.ts).
        healthGate: { deadlineSeconds: 180, pollSeconds: 2 },
        bake: { seconds: 20 },
        retention: { mode: 'warm', minutes: 1, generations: 0 },
        slack: { channels: ['C0DEPLOYS'], users: [RELEASER] },
        ...options.service,
      },
    ],
  });
  const logger = options.logger ?? silent;
  const engine = await startLocalEngine({
    config,
    awsEndpoint: cloud.endpoint,
    dynamodbEndpoint: dynamodb.endpoint,
    timeScale: options.timeScale,
    logger: logger('step'),
    ...(options.beforeStep ? { beforeStep: options.beforeStep } : {}),
  });

  const commits = new Map<string, string>();
  /** Slack's Web API posts nowhere: the scenarios read the handler's own answers. */
  const slackApi: SlackApi = {
    usergroupMembers: () => Promise.resolve([]),
    respond: () => Promise.resolve(),
    postMessage: () => Promise.resolve({ ts: String(Date.now()) }),
    updateMessage: () => Promise.resolve(),
  };
  const deps = { config, store: engine.store, executions: engine.executions };
  const webhook = createWebhookHandler({
    ...deps,
    secrets: { current: () => Promise.resolve(TEST_GITHUB_SECRET) },
    manifests: { read: (_repository, _path, ref) => Promise.resolve(commits.get(ref) ?? '') },
    logger: logger('webhook'),
  });
  const slack = createSlackHandler({ ...deps, signingSecret: () => Promise.resolve(TEST_SLACK_SECRET), slack: slackApi, logger: logger('slack') });
  const alarm = createAlarmHandler({ ...deps, logger: logger('alarm') });

  const http = async (answer: Promise<unknown>): Promise<HttpAnswer> => {
    const result = (await answer) as APIGatewayProxyStructuredResultV2;
    return { statusCode: result.statusCode ?? 0, body: result.body ? (JSON.parse(result.body) as HttpAnswer['body']) : {} };
  };

  const live: LiveService = {
    cloud,
    engine,
    config,
    url,
    pushEvent(version, { forced = false, ...rest } = {}) {
      const commit = randomBytes(20).toString('hex');
      commits.set(commit, version);
      return githubDelivery('push', {
        deliveryId: randomUUID(),
        ...rest,
        edit: (payload) => {
          payload.after = commit;
          payload.forced = forced;
          (payload.head_commit as { id: string }).id = commit;
          rest.edit?.(payload);
        },
      });
    },
    webhook: (event) => http(webhook(event, lambdaContext('webhook'))),
    async deploy(version) {
      const answer = await live.webhook(live.pushEvent(version));
      const started = (answer.body.results as Array<{ status: string; executionName: string }> | undefined)?.find((r) => r.status === 'started');
      if (answer.statusCode !== 202 || !started) throw new Error(`the push of ${version} started nothing: ${answer.statusCode} ${JSON.stringify(answer.body)}`);
      return engine.executions.arnOf(started.executionName);
    },
    slack: (event) => http(slack(event, lambdaContext('slack'))),
    command: (text, slackOptions) => live.slack(slackCommand(text, slackOptions)),
    alarm: (event) => alarm(event, lambdaContext('alarm')),
    async waitFor(kind, executionArn) {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const wait = await engine.store.getWait(SERVICE);
        if (wait?.kind === kind && wait.executionArn === executionArn && wait.taken === null) return;
        if (Date.now() > deadline) throw new Error(`${SERVICE} never waited for ${kind}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async finished(executionArn) {
      const done = await engine.runtime.waitForExecution(executionArn);
      return { status: done.status ?? '', error: done.error };
    },
    async propagated() {
      const { listenerPropagation } = cloud.realism;
      if (listenerPropagation) await new Promise((resolve) => setTimeout(resolve, cloud.realMs(listenerPropagation.seconds) + 50));
    },
    async served(count, headers = {}) {
      const versions: string[] = [];
      for (let i = 0; i < count; i += 1) {
        const response = await fetch(url, { headers });
        const body = await response.text();
        versions.push(response.ok ? (JSON.parse(body) as { version: string }).version : `${response.status} ${body}`);
      }
      return versions;
    },
    executions() {
      return (engine.runtime.listExecutions({ stateMachineArn: engine.stateMachineArn }).executions ?? [])
        .map((e) => {
          const described = engine.runtime.describeExecution({ executionArn: e.executionArn });
          return { arn: e.executionArn!, status: e.status ?? '', version: (JSON.parse(described.input ?? '{}') as { version: string }).version, startDate: e.startDate };
        })
        .sort((a, b) => Number(a.startDate) - Number(b.startDate))
        .map(({ arn, status, version }) => ({ arn, status, version }));
    },
    async stop() {
      await engine.stop();
      await cloud.stop();
      await dynamodb.stop();
    },
  };
  return live;
}
