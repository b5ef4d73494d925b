// Runs the real workflow (ASL + step runner) against an AWS emulator and
// dynalite, one service per test, and reads the account back for assertions.
import { Logger } from '@aws-lambda-powertools/logger';
import { DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseConfig, type Config } from '../../functions/core/config.ts';
import { describeAction, shortName } from '../../functions/core/diff.ts';
import { ownedView, targetsOf } from '../../functions/core/listener.ts';
import type { Action } from '../../functions/core/model.ts';
import { createTrafficRouter } from '../../functions/adapters/router.ts';
import type { WaitKind } from '../../functions/adapters/store.ts';
import type { SlackApi } from '../../functions/lib/slack-api.ts';
import { startOrQueue, signal } from '../../functions/lib/dispatch.ts';
import type { StepEvent } from '../../functions/steps/index.ts';
import { startLocalEngine, type LocalEngine } from '../../local/engine.ts';
import { seedInfrastructure, type SeededInfrastructure } from '../../local/seed.ts';
import type { AwsClients } from '../support/backends.ts';

export const TIME_SCALE = 0.004;

export interface Deployment {
  engine: LocalEngine;
  config: Config;
  infra: SeededInfrastructure;
  service: string;
  deploy(version: string): Promise<string>;
  signal(action: 'promote' | 'rollback' | 'abort', by?: string): Promise<void>;
  /** Until the workflow waits in an open wait of this kind, its hold step returned (the alarms read). */
  waitFor(kind: WaitKind): Promise<void>;
  finished(executionArn: string): Promise<{ status: string; error?: string | undefined; cause?: string | undefined }>;
  listener(): Promise<ListenerSummary>;
  snapshot(): Promise<AccountSnapshot>;
  stop(): Promise<void>;
}

export interface ListenerSummary {
  default: string;
  green?: string;
  blue?: string;
}

export interface AccountSnapshot {
  listener: ListenerSummary;
  targetGroups: string[];
  autoScalingGroups: Array<{ name: string; desired: number }>;
  alarms: string[];
}

let counter = 0;

export async function startDeployment(
  clients: AwsClients,
  endpoints: { aws: string; dynamodb: string },
  strategy: unknown,
  options: { beforeStep?: (event: StepEvent) => Promise<void> | void; service?: Record<string, unknown>; slack?: SlackApi } = {},
): Promise<Deployment> {
  const service = `svc${++counter}${process.pid % 1000}`;
  const infra = await seedInfrastructure({ ec2: clients.ec2, elbv2: clients.elbv2 }, { name: `lb-${service}` });
  const config = parseConfig({
    services: [
      {
        name: service,
        github: { repository: `acme/${service}` },
        listener: { loadBalancerArn: infra.loadBalancerArn, listenerArn: infra.listenerArn },
        launchTemplate: { id: infra.launchTemplateId },
        subnets: infra.subnetIds,
        targetGroup: { vpcId: infra.vpcId },
        capacity: { min: 1, max: 2, desired: 2 },
        strategy,
        healthGate: { deadlineSeconds: 60, pollSeconds: 5 },
        bake: { seconds: 60 },
        retention: { mode: 'warm', minutes: 5, generations: 0 },
        ...options.service,
      },
    ],
  });
  /** Tokens of the holds whose step has returned (it has read the alarms). */
  const held = new Set<string>();
  const engine = await startLocalEngine({
    config,
    awsEndpoint: endpoints.aws,
    dynamodbEndpoint: endpoints.dynamodb,
    timeScale: TIME_SCALE,
    logger: new Logger({ serviceName: 'test', logLevel: 'SILENT' }),
    afterStep: (event) => void (event.step === 'hold' && event.token && held.add(event.token)),
    ...(options.beforeStep ? { beforeStep: options.beforeStep } : {}),
    ...(options.slack ? { slack: options.slack } : {}),
  });
  const router = createTrafficRouter(clients.elbv2);
  const dispatch = { store: engine.store, executions: engine.executions };

  const listener = async (): Promise<ListenerSummary> => {
    const view = ownedView(await router.readListener(infra.listenerArn), 'x-client-mode');
    const rule = (value: string) => view.rules.find((r) => r.values.includes(value));
    // Where requests go: groups attached at weight 0 take none.
    const traffic = (a: Action) => (a.type === 'forward' ? targetsOf(a).map(shortName).join(' + ') || 'no traffic' : describeAction(a));
    const green = rule('green');
    const blue = rule('blue');
    return { default: traffic(view.defaultAction), ...(green ? { green: traffic(green.action) } : {}), ...(blue ? { blue: traffic(blue.action) } : {}) };
  };

  return {
    engine,
    config,
    infra,
    service,
    async deploy(version) {
      const result = await startOrQueue(dispatch, service, version, { kind: 'cli', by: 'cli:test', deliveryId: `${service}-${version}` });
      if (result.status !== 'started') throw new Error(`deploy ${version} was ${result.status}`);
      return result.executionArn;
    },
    async signal(action, by = 'cli:test') {
      await signal(dispatch, service, { action, by, reason: `test ${action}` });
    },
    async waitFor(kind) {
      await until(async () => {
        const wait = await engine.store.getWait(service);
        return wait?.kind === kind && wait.taken === null && held.has(wait.token);
      }, `an open ${kind} wait`);
    },
    async finished(executionArn) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const d = await engine.executions.describe(executionArn);
        if (d.status !== 'RUNNING') return { status: d.status, error: d.error, cause: d.cause };
        if (Date.now() > deadline) throw new Error(`execution still running: ${executionArn}`);
        await sleep(20);
      }
    },
    listener,
    async snapshot() {
      return snapshot(clients, service, listener);
    },
    stop: () => engine.stop(),
  };
}

async function snapshot(clients: AwsClients, service: string, listener: () => Promise<ListenerSummary>): Promise<AccountSnapshot> {
  const prefix = `bg-${service}-`;
  const tgs = await clients.elbv2.send(new DescribeTargetGroupsCommand({}));
  const asgs = await clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({}));
  const alarms = await clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix }));
  return {
    listener: await listener(),
    targetGroups: (tgs.TargetGroups ?? []).map((t) => t.TargetGroupName ?? '').filter((n) => n.startsWith(prefix)).sort(),
    autoScalingGroups: (asgs.AutoScalingGroups ?? [])
      .filter((g) => g.AutoScalingGroupName?.startsWith(prefix))
      .map((g) => ({ name: g.AutoScalingGroupName ?? '', desired: g.DesiredCapacity ?? -1 }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    alarms: (alarms.MetricAlarms ?? []).map((a) => a.AlarmName ?? '').sort(),
  };
}

export async function until(check: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

