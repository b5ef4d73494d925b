// The deployment stack the benchmarks measure: dynalite, the local cloud, the
// real workflow on the local Step Functions runtime, and the real webhook
// handler that starts deployments from signed GitHub pushes. One load
// balancer; one listener per service on it.
import { Logger } from '@aws-lambda-powertools/logger';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { CreateListenerCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { createHandler as createAlarmHandler } from '../functions/alarm.ts';
import { parseConfig, type Config } from '../functions/core/config.ts';
import type { StepEvent } from '../functions/steps/index.ts';
import { createHandler as createWebhookHandler } from '../functions/webhook.ts';
import { startLocalCloud, type CloudLogSink, type InstanceMode, type LocalCloud } from '../local/cloud/local-cloud.ts';
import { startDynalite } from '../local/dynamodb.ts';
import { startLocalEngine, type LocalEngine } from '../local/engine.ts';
import { seedInfrastructure } from '../local/seed.ts';
import { githubPush } from '../local/signed-requests.ts';

export type Strategy = 'blue-green' | 'header-canary' | 'weighted-canary';

export interface StackOptions {
  services: number;
  strategy: Strategy;
  timeScale: number;
  instanceMode: InstanceMode;
  capacity?: number;
  bakeSeconds?: number;
  retention?: { mode: 'warm' | 'standby' | 'zero'; minutes: number };
  /** Receives the local cloud's activity log (listener writes, rule changes). */
  cloudLog?: CloudLogSink;
  beforeStep?: (event: StepEvent) => void;
  /** Called with every EventBridge event before the alarm handler gets it. */
  onEvent?: (event: unknown) => void;
}

export interface Stack {
  cloud: LocalCloud;
  engine: LocalEngine;
  config: Config;
  serviceNames: string[];
  listenerUrls: string[];
  elbv2: ElasticLoadBalancingV2Client;
  cloudWatch: CloudWatchClient;
  /** Pushes `version` of a service through the signed webhook; resolves with the execution ARN. */
  deploy: (service: string, version: string) => Promise<string>;
  /** A signed push of `version` (the manifest at its commit reads `version`). */
  pushEvent: (service: string, version: string) => APIGatewayProxyEventV2;
  webhook: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  stop: () => Promise<void>;
}

export const lambdaContext = { functionName: 'bench', awsRequestId: 'bench' } as Context;
const secret = randomBytes(24).toString('hex');
const STEP_SETTLE_MS = 500;

export async function startStack(options: StackOptions): Promise<Stack> {
  const dynamodb = await startDynalite();
  const cloud = await startLocalCloud({ timeScale: options.timeScale, instanceMode: options.instanceMode, ...(options.cloudLog ? { log: options.cloudLog } : {}) });
  const stops: Array<() => Promise<void>> = [() => dynamodb.stop(), () => cloud.stop()];
  try {
    const ec2 = new EC2Client(cloud.clientConfig());
    const elbv2 = new ElasticLoadBalancingV2Client(cloud.clientConfig());
    const infra = await seedInfrastructure({ ec2, elbv2 }, { name: 'bench' });
    const serviceNames = Array.from({ length: options.services }, (_, i) => (options.services === 1 ? 'shop' : `svc${i + 1}`));
    const listenerArns = [infra.listenerArn];
    for (let i = 1; i < serviceNames.length; i++) listenerArns.push(await createListener(elbv2, infra.loadBalancerArn, 8000 + i));
    const listenerUrls = listenerArns.map((arn) => cloud.listenerUrl(arn));
    const config = parseConfig({
      services: serviceNames.map((name, i) => serviceConfig(options, name, { ...infra, listenerArn: listenerArns[i]! }, listenerUrls[i]!)),
    });
    const engine = await startLocalEngine({
      config,
      awsEndpoint: cloud.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      timeScale: options.timeScale,
      ...(options.beforeStep ? { beforeStep: options.beforeStep } : {}),
    });
    // A step already running when its execution is stopped finishes on its own: give it time before its store closes.
    stops.unshift(async () => {
      await engine.stop();
      await sleep(STEP_SETTLE_MS);
    });
    const silent = new Logger({ serviceName: 'bluegreen', logLevel: 'SILENT' });
    const deps = { config, store: engine.store, executions: engine.executions, logger: silent };
    const commits = new Map<string, string>();
    const webhookHandler = createWebhookHandler({ ...deps, secrets: { current: () => Promise.resolve(secret) }, manifests: { read: (_repo, _path, ref) => Promise.resolve(commits.get(ref) ?? '') } });
    const alarm = createAlarmHandler(deps);
    cloud.onEvent(async (event) => {
      options.onEvent?.(event);
      await alarm(event, lambdaContext);
    });
    const webhook = async (event: APIGatewayProxyEventV2) => (await webhookHandler(event, lambdaContext)) as APIGatewayProxyStructuredResultV2;

    const pushEvent = (service: string, version: string) => {
      const commit = randomBytes(20).toString('hex');
      commits.set(commit, version);
      return githubPush({ secret, repository: `acme/${service}`, commit, pusher: 'bench' });
    };
    const deploy = async (service: string, version: string) => {
      const answer = await webhook(pushEvent(service, version));
      const body = JSON.parse(String(answer.body)) as { results?: Array<{ status: string; executionName: string }> };
      const started = body.results?.find((r) => r.status === 'started');
      if (answer.statusCode !== 202 || !started) throw new Error(`the webhook did not start ${service} ${version}: ${answer.statusCode} ${answer.body}`);
      return engine.executions.arnOf(started.executionName);
    };
    return {
      cloud,
      engine,
      config,
      serviceNames,
      listenerUrls,
      elbv2,
      cloudWatch: new CloudWatchClient(cloud.clientConfig()),
      deploy,
      pushEvent,
      webhook,
      stop: async () => {
        await cloud.eventsDelivered(); // no alarm handler still writing to the store
        for (const stop of stops) await stop();
      },
    };
  } catch (error) {
    for (const stop of stops) await stop();
    throw error;
  }
}

async function createListener(elbv2: ElasticLoadBalancingV2Client, loadBalancerArn: string, port: number): Promise<string> {
  const answer = await elbv2.send(
    new CreateListenerCommand({
      LoadBalancerArn: loadBalancerArn,
      Protocol: 'HTTP',
      Port: port,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '503', ContentType: 'text/plain', MessageBody: 'no release yet' } }],
    }),
  );
  return answer.Listeners![0]!.ListenerArn!;
}

type Infra = Awaited<ReturnType<typeof seedInfrastructure>>;

function serviceConfig(options: StackOptions, name: string, infra: Infra, url: string) {
  const capacity = options.capacity ?? 2;
  return {
    name,
    github: { repository: `acme/${name}`, branch: 'main', manifest: 'VERSION' },
    listener: { loadBalancerArn: infra.loadBalancerArn, listenerArn: infra.listenerArn },
    launchTemplate: { id: infra.launchTemplateId, versionVariable: 'APP_VERSION' },
    subnets: infra.subnetIds,
    capacity: { min: capacity, max: capacity, desired: capacity },
    targetGroup: { vpcId: infra.vpcId, healthCheckPath: '/health', healthCheckIntervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2, deregistrationDelaySeconds: 10 },
    strategy:
      options.strategy === 'header-canary'
        ? { type: 'header-canary', promotion: 'automatic' }
        : options.strategy === 'weighted-canary'
          ? { type: 'weighted-canary', steps: [10, 50, 100] }
          : { type: 'blue-green' },
    healthGate: { deadlineSeconds: 120, pollSeconds: 2 },
    bake: { seconds: options.bakeSeconds ?? 10, alarms: { http5xx: { threshold: 2, periods: 1, periodSeconds: 60 } } },
    retention: { ...(options.retention ?? { mode: 'warm', minutes: 1 }), generations: 0 },
    smokeTest: { url, expectStatus: 200, versionField: 'version' },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
