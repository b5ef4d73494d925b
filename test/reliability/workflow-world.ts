// One service deployed by the real workflow (ASL on the local Step Functions
// runtime, the real step runner) against the local cloud (real health checks,
// draining, alarms, a data plane on loopback) and the store on dynalite. Reads
// the account back for assertions: the listener, Describe snapshots of target
// groups, Auto Scaling groups and alarms, the lock and the history, and the
// adapter calls the steps made, in order.
import { Logger } from '@aws-lambda-powertools/logger';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Context } from 'aws-lambda';
import { createHandler as createAlarmHandler } from '../../functions/alarm.ts';
import { createTrafficRouter } from '../../functions/adapters/router.ts';
import type { HistoryEvent, WaitKind } from '../../functions/adapters/store.ts';
import { parseConfig, type Config } from '../../functions/core/config.ts';
import { describeAction } from '../../functions/core/diff.ts';
import { ownedView } from '../../functions/core/listener.ts';
import { signal, startOrQueue, type SignalResult } from '../../functions/lib/dispatch.ts';
import type { ServiceAdapters } from '../../functions/steps/deps.ts';
import type { StepEvent } from '../../functions/steps/index.ts';
import { startLocalCloud, type AppFaults, type LocalCloud, type Realism } from '../../local/cloud/local-cloud.ts';
import { startDynalite } from '../../local/dynamodb.ts';
import { startLocalEngine, type LocalEngine } from '../../local/engine.ts';
import { seedInfrastructure, type SeededInfrastructure } from '../../local/seed.ts';

export const SERVICE = 'shop';
export const HEADER = 'x-client-mode';
/** Real seconds per AWS second, for the cloud and the engine alike. */
export const TIME_SCALE = 0.02;

export interface WorldOptions {
  strategy?: unknown;
  /** Replaces fields of the service configuration (capacity, bake, retention…). */
  service?: Record<string, unknown>;
  /** Replaces fields of the target group settings (deregistration delay…). */
  targetGroup?: Record<string, unknown>;
  faults?: Record<string, AppFaults>;
  timeScale?: number;
  beforeStep?: (event: StepEvent, world: World) => Promise<void> | void;
  /** Alarm events reach the real alarm handler (EventBridge → Lambda). */
  alarms?: boolean;
  /** The cloud's randomness (fault rates, weighted routing): seeded for a repeatable run. */
  random?: () => number;
  /** AWS behaviours to turn off (local/cloud/realism.ts); all on by default. */
  realism?: Partial<Realism>;
}

export interface ListenerSummary {
  /** `bg-shop-1`, `bg-shop-1:90 + bg-shop-2:10`, `bg-shop-1 (bg-shop-2 attached)`, `fixed 503`. */
  default: string;
  green?: string;
  blue?: string;
}

export interface GroupSnapshot {
  name: string;
  min: number;
  max: number;
  desired: number;
  instances: number;
}

export interface AccountSnapshot {
  listener: ListenerSummary;
  targetGroups: string[];
  autoScalingGroups: GroupSnapshot[];
  alarms: string[];
}

/** One adapter call made by a step: `fleet.delete bg-shop-2`, `router.applyWrites delete-rule,modify-default`. */
export interface AdapterCall {
  call: string;
  detail: string;
  /** When the call was made (ms since epoch). */
  at: number;
}

export interface World {
  cloud: LocalCloud;
  /** The store's DynamoDB (dynalite). */
  dynamodbEndpoint: string;
  engine: LocalEngine;
  config: Config;
  infra: SeededInfrastructure;
  elbv2: ElasticLoadBalancingV2Client;
  autoScaling: AutoScalingClient;
  cloudWatch: CloudWatchClient;
  url: string;
  deploy(version: string): Promise<string>;
  signal(action: 'promote' | 'rollback' | 'abort', by?: string): Promise<SignalResult>;
  /** Until the workflow waits in an open wait of this kind, its hold step returned (the alarms read). */
  waitFor(kind: WaitKind): Promise<void>;
  finished(executionArn: string): Promise<{ status: string; error?: string; cause?: string }>;
  /** Deploys a version and waits until it succeeded. */
  release(version: string): Promise<void>;
  listener(): Promise<ListenerSummary>;
  /** The account once every Auto Scaling group deletion has finished (AWS takes minutes: local/cloud/realism.ts). */
  snapshot(): Promise<AccountSnapshot>;
  /** The execution holding the service's lock, or null. */
  lock(): Promise<string | null>;
  /** The newest `finished` event of the history. */
  lastFinished(): Promise<HistoryEvent | undefined>;
  /** Adapter calls the steps made since the last `resetCalls`. */
  calls(): AdapterCall[];
  resetCalls(): void;
  stop(): Promise<void>;
}

const silent = new Logger({ serviceName: 'test', logLevel: 'SILENT' });
const lambdaContext = { functionName: 'alarm', awsRequestId: 'test' } as Context;

export async function startWorld(options: WorldOptions = {}): Promise<World> {
  const timeScale = options.timeScale ?? TIME_SCALE;
  const dynamodb = await startDynalite();
  const cloud = await startLocalCloud({ timeScale, instanceMode: 'inline', faults: options.faults ?? {}, ...(options.random ? { random: options.random } : {}), ...(options.realism ? { realism: options.realism } : {}) });
  const stops: Array<() => Promise<void>> = [() => dynamodb.stop(), () => cloud.stop()];
  try {
    const elbv2 = new ElasticLoadBalancingV2Client(cloud.clientConfig());
    const autoScaling = new AutoScalingClient(cloud.clientConfig());
    const cloudWatch = new CloudWatchClient(cloud.clientConfig());
    const infra = await seedInfrastructure({ ec2: new EC2Client(cloud.clientConfig()), elbv2 }, { name: 'reliability' });
    const url = cloud.listenerUrl(infra.listenerArn);
    const config = serviceConfig(infra, url, options);

    const self: { world?: World } = {};
    /** Tokens of the holds whose step has returned. */
    const held = new Set<string>();
    const engine = await startLocalEngine({
      config,
      awsEndpoint: cloud.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      timeScale,
      logger: silent,
      beforeStep: (event) => options.beforeStep?.(event, self.world!),
      afterStep: (event) => void (event.step === 'hold' && event.token && held.add(event.token)),
    });
    stops.unshift(() => engine.stop());

    // The step runner reads `deps.adapters` on every call, so wrapping it here records every step's calls.
    const recorded: AdapterCall[] = [];
    const adapters = engine.deps.adapters.bind(engine.deps);
    engine.deps.adapters = (service) => recording(adapters(service), recorded);

    const dispatch = { store: engine.store, executions: engine.executions };
    if (options.alarms) {
      const alarm = createAlarmHandler({ config, store: engine.store, executions: engine.executions, logger: silent });
      cloud.onEvent(async (event) => void (await alarm(event, lambdaContext)));
    }
    const router = createTrafficRouter(elbv2);
    let deliveries = 0;

    const listener = async (): Promise<ListenerSummary> => {
      const view = ownedView(await router.readListener(infra.listenerArn), HEADER);
      const rule = (value: string) => view.rules.find((r) => r.values.includes(value));
      const green = rule('green');
      const blue = rule('blue');
      return {
        default: describeAction(view.defaultAction),
        ...(green ? { green: describeAction(green.action) } : {}),
        ...(blue ? { blue: describeAction(blue.action) } : {}),
      };
    };

    const world: World = {
      cloud,
      dynamodbEndpoint: dynamodb.endpoint,
      engine,
      config,
      infra,
      elbv2,
      autoScaling,
      cloudWatch,
      url,
      async deploy(version) {
        const result = await startOrQueue(dispatch, SERVICE, version, { kind: 'cli', by: 'cli:test', deliveryId: `d${++deliveries}` });
        if (result.status !== 'started') throw new Error(`deploy ${version} was ${result.status}`);
        return result.executionArn;
      },
      signal: (action, by = 'cli:test') => signal(dispatch, SERVICE, { action, by, reason: `test ${action}` }),
      async waitFor(kind) {
        await until(async () => {
          const wait = await engine.store.getWait(SERVICE);
          return wait?.kind === kind && wait.taken === null && held.has(wait.token);
        }, `an open ${kind} wait`).catch((error: Error) => {
          // Say where the executions are: a wait that never opens is usually a deployment that already failed.
          const executions = (engine.runtime.listExecutions({ stateMachineArn: engine.stateMachineArn }).executions ?? []).map((e) => engine.runtime.describeExecution({ executionArn: e.executionArn }));
          throw new Error(`${error.message}; executions: ${executions.map((e) => `${e.name} ${e.status} ${e.error ?? ''} ${e.cause ?? ''}`).join(' | ')}`);
        });
      },
      async finished(executionArn) {
        const done = await engine.runtime.waitForExecution(executionArn);
        return { status: done.status ?? 'UNKNOWN', ...(done.error ? { error: done.error } : {}), ...(done.cause ? { cause: done.cause } : {}) };
      },
      async release(version) {
        const done = await world.finished(await world.deploy(version));
        if (done.status !== 'SUCCEEDED') throw new Error(`release ${version} did not go live: ${done.error}: ${done.cause}`);
      },
      listener,
      async snapshot() {
        const deleting = async () => ((await autoScaling.send(new DescribeAutoScalingGroupsCommand({}))).AutoScalingGroups ?? []).some((g) => g.Status === 'Delete in progress');
        await until(async () => !(await deleting()), 'Auto Scaling group deletions to finish', cloud.realMs(300) + 5000);
        return snapshot({ elbv2, autoScaling, cloudWatch }, listener);
      },
      async lock() {
        return (await engine.store.active(SERVICE))?.executionName ?? null;
      },
      async lastFinished() {
        return (await engine.store.history(SERVICE, 50)).find((e) => e.kind === 'finished');
      },
      calls: () => [...recorded],
      resetCalls: () => void (recorded.length = 0),
      async stop() {
        for (const stop of stops) await stop();
      },
    };
    self.world = world;
    return world;
  } catch (error) {
    for (const stop of stops) await stop();
    throw error;
  }
}

function serviceConfig(infra: SeededInfrastructure, url: string, options: WorldOptions): Config {
  return parseConfig({
    services: [
      {
        name: SERVICE,
        github: { repository: 'acme/shop' },
        listener: { loadBalancerArn: infra.loadBalancerArn, listenerArn: infra.listenerArn },
        launchTemplate: { id: infra.launchTemplateId },
        subnets: infra.subnetIds,
        capacity: { min: 2, max: 4, desired: 2 },
        targetGroup: { vpcId: infra.vpcId, healthCheckIntervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2, deregistrationDelaySeconds: 10, ...options.targetGroup },
        strategy: options.strategy ?? { type: 'blue-green' },
        // Instances boot 30 s and start their app 20 s before two 5 s health checks pass (local/cloud/realism.ts).
        healthGate: { deadlineSeconds: 180, pollSeconds: 2 },
        bake: { seconds: 20, alarms: { http5xx: { threshold: 2, periods: 1, periodSeconds: 60 } } },
        retention: { mode: 'warm', minutes: 1, generations: 0 },
        smokeTest: { url, expectStatus: 200, versionField: 'version' },
        ...options.service,
      },
    ],
  });
}

async function snapshot(
  clients: { elbv2: ElasticLoadBalancingV2Client; autoScaling: AutoScalingClient; cloudWatch: CloudWatchClient },
  listener: () => Promise<ListenerSummary>,
): Promise<AccountSnapshot> {
  const prefix = `bg-${SERVICE}-`;
  const [tgs, asgs, alarms] = await Promise.all([
    clients.elbv2.send(new DescribeTargetGroupsCommand({})),
    clients.autoScaling.send(new DescribeAutoScalingGroupsCommand({})),
    clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefix })),
  ]);
  return {
    listener: await listener(),
    targetGroups: (tgs.TargetGroups ?? []).map((t) => t.TargetGroupName ?? '').filter((n) => n.startsWith(prefix)).sort(),
    autoScalingGroups: (asgs.AutoScalingGroups ?? [])
      .filter((g) => g.AutoScalingGroupName?.startsWith(prefix))
      .map((g) => ({ name: g.AutoScalingGroupName!, min: g.MinSize ?? -1, max: g.MaxSize ?? -1, desired: g.DesiredCapacity ?? -1, instances: g.Instances?.length ?? 0 }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    alarms: (alarms.MetricAlarms ?? []).map((a) => a.AlarmName ?? '').sort(),
  };
}

/** Every method of every adapter, recorded as it is called (before it runs). */
function recording(adapters: ServiceAdapters, log: AdapterCall[]): ServiceAdapters {
  const wrap = <T extends object>(concern: string, target: T): T =>
    new Proxy(target, {
      get(obj, key, receiver) {
        const value: unknown = Reflect.get(obj, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          log.push({ call: `${concern}.${String(key)}`, detail: detailOf(args), at: Date.now() });
          return (value as (...a: unknown[]) => unknown).apply(obj, args);
        };
      },
    });
  return { router: wrap('router', adapters.router), targetGroups: wrap('targetGroups', adapters.targetGroups), fleet: wrap('fleet', adapters.fleet), alarms: wrap('alarms', adapters.alarms) };
}

function detailOf(args: unknown[]): string {
  return args
    .map((a) => {
      if (typeof a === 'string') return a.replace(/^arn:.*:targetgroup\/([^/]+)\/.*$/, '$1');
      if (Array.isArray(a)) return (a as unknown[]).map((x) => (typeof x === 'object' && x && 'kind' in x ? String(x.kind) : String(x))).join(',');
      return '';
    })
    .filter(Boolean)
    .join(' ');
}

export async function until(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A small seeded generator (mulberry32): the same faults on every run. */
export function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
