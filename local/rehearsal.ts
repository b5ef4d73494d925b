// The main job, locally: a real deployment rehearsed under live traffic.
// The local cloud runs the load balancer (a real proxy on loopback), the
// Auto Scaling instances (processes of the sample app) and CloudWatch; the
// real workflow runs on the local Step Functions runtime; deploys start with
// a signed GitHub push into the real webhook handler, promotions come through
// the real Slack handler with a signed request, and alarms reach the real
// alarm handler as EventBridge events. The load sees every version change and
// counts every request the switch lost.
import { Logger } from '@aws-lambda-powertools/logger';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createHandler as createAlarmHandler } from '../functions/alarm.ts';
import { parseConfig, type Config } from '../functions/core/config.ts';
import type { SlackApi } from '../functions/lib/slack-api.ts';
import { createHandler as createSlackHandler } from '../functions/slack.ts';
import type { StepEvent } from '../functions/steps/index.ts';
import { createHandler as createWebhookHandler } from '../functions/webhook.ts';
import { startLocalCloud, type AppFaults, type LocalCloud } from './cloud/local-cloud.ts';
import { startDynalite } from './dynamodb.ts';
import { startLocalEngine, type LocalEngine } from './engine.ts';
import { startLoad, summarize, type Load, type Sample } from './load.ts';
import type { RehearsalReport } from './report.ts';
import { seedInfrastructure } from './seed.ts';
import { githubPush, slackCommand as signedSlackCommand } from './signed-requests.ts';

export const STRATEGIES = ['blue-green', 'header-canary', 'weighted-canary'] as const;
export const SCENARIOS = ['happy', 'bad-release', 'never-healthy'] as const;
export type Strategy = (typeof STRATEGIES)[number];
export type Scenario = (typeof SCENARIOS)[number];

export interface RehearsalOptions {
  strategy: Strategy;
  scenario: Scenario;
  /** Requests per second of the steady load. */
  rps: number;
  /** Real seconds per AWS second; 0.05 runs a 60 s alarm period in 3 s. */
  timeScale: number;
  /** One line of progress (phase, share of traffic by version, errors, latency). */
  progress?: (line: string) => void;
  /** Where `bluegreen --local` finds this rehearsal's endpoints while it runs. */
  localFile?: string;
  instanceMode?: 'process' | 'inline';
}

export interface RehearsalResult {
  report: RehearsalReport;
  samples: Sample[];
}

const SERVICE = 'shop';
const REPOSITORY = 'acme/shop';
const SLACK_USER = 'U0RELEASER';
const SLACK_CHANNEL = 'C0DEPLOYS';
/** Secrets of this rehearsal only: generated per run, never printed. */
const secrets = { github: randomBytes(24).toString('hex'), slack: randomBytes(24).toString('hex') };
const VERSIONS = { v1: '1.0.0', v2: '2.0.0', v3: '3.0.0' } as const;
const lambdaContext = { functionName: 'rehearsal', awsRequestId: 'rehearsal' } as Context;

export async function rehearse(options: RehearsalOptions): Promise<RehearsalResult> {
  const t0 = Date.now();
  const progress = options.progress ?? (() => {});
  const timeline: RehearsalReport['timeline'] = [];
  const mark = (phase: string) => {
    timeline.push({ phase, atMs: Date.now() - t0 });
    progress(`· ${phase}`);
  };
  // A bad release passes its health checks and smoke test, then fails under real traffic (see beforeStep).
  const faults: Record<string, AppFaults> = options.scenario === 'never-healthy' ? { [VERSIONS.v2]: { neverHealthy: true } } : {};

  const dynamodb = await startDynalite();
  // The local cloud behaves like AWS (local/cloud/realism.ts): instances boot, metrics arrive a minute late, listener
  // changes propagate, deletions take a while.
  const cloud = await startLocalCloud({ timeScale: options.timeScale, faults, instanceMode: options.instanceMode ?? 'process' });
  const stops: Array<() => Promise<void>> = [() => dynamodb.stop(), () => cloud.stop()];
  const loads: Load[] = [];
  try {
    const infra = await seedInfrastructure({ ec2: new EC2Client(cloud.clientConfig()), elbv2: new ElasticLoadBalancingV2Client(cloud.clientConfig()) }, { name: 'rehearsal' });
    const url = cloud.listenerUrl(infra.listenerArn);
    const config = rehearsalConfig(options.strategy, options.scenario, infra, url);
    cloud.resetApiCalls();

    let rollback: RehearsalReport['rollback'] = null;
    let alarmAt: { at: number; alarm: string } | null = null;
    let badReleaseFailing = false;
    const engine = await startLocalEngine({
      config,
      awsEndpoint: cloud.endpoint,
      dynamodbEndpoint: dynamodb.endpoint,
      timeScale: options.timeScale,
      beforeStep: (event) => {
        const phase = phaseOf(event);
        if (phase) mark(phase);
        if (options.scenario === 'bad-release' && event.step === 'hold' && event.state.version === VERSIONS.v3 && !badReleaseFailing) {
          badReleaseFailing = true;
          cloud.setVersionFaults(VERSIONS.v3, { errorRate: 0.5 });
          mark(`${VERSIONS.v3} starts failing half its requests`);
        }
        if (event.step === 'cleanup' && event.state.rolledBack && alarmAt && !rollback) {
          rollback = { trigger: alarmAt.alarm, detectToRoutedMs: Date.now() - alarmAt.at, routedAtMs: Date.now() - t0 };
        }
      },
    });
    stops.unshift(() => engine.stop());
    if (options.localFile) writeLocalFile(options.localFile, cloud, engine, dynamodb.endpoint, config);

    const silent = new Logger({ serviceName: 'bluegreen', logLevel: 'SILENT' });
    const deps = { config, store: engine.store, executions: engine.executions, logger: silent };
    const commits = new Map<string, string>();
    const webhook = createWebhookHandler({ ...deps, secrets: { current: () => Promise.resolve(secrets.github) }, manifests: { read: (_repo, _path, ref) => Promise.resolve(commits.get(ref) ?? '') } });
    const slack = createSlackHandler({ ...deps, signingSecret: () => Promise.resolve(secrets.slack), slack: slackLog(progress) });
    const alarm = createAlarmHandler(deps);
    cloud.onEvent(async (event) => {
      const detail = event.detail as { alarmName?: string; state?: { value?: string } };
      if (detail.state?.value === 'ALARM') {
        alarmAt ??= { at: Date.now(), alarm: detail.alarmName ?? 'unknown' };
        mark(`alarm ${detail.alarmName}`);
      }
      await alarm(event, lambdaContext);
    });

    const push = async (version: string): Promise<string> => {
      const commit = randomBytes(20).toString('hex');
      commits.set(commit, version);
      mark(`push ${version}`);
      const answer = (await webhook(githubPush({ secret: secrets.github, repository: REPOSITORY, commit, pusher: 'rehearsal' }), lambdaContext)) as APIGatewayProxyStructuredResultV2;
      const body = JSON.parse(String(answer.body)) as { results?: Array<{ status: string; executionName: string }>; message?: string };
      const started = body.results?.find((r) => r.status === 'started');
      if (answer.statusCode !== 202 || !started) throw new Error(`the webhook did not start a deployment of ${version}: ${answer.statusCode} ${answer.body}`);
      return engine.executions.arnOf(started.executionName);
    };
    const slackCommand = async (text: string) => {
      mark(`slack /deploy ${text}`);
      const answer = (await slack(signedSlackCommand({ secret: secrets.slack, text, user: SLACK_USER, channel: SLACK_CHANNEL }), lambdaContext)) as APIGatewayProxyStructuredResultV2;
      progress(`  slack: ${(JSON.parse(String(answer.body)) as { text?: string }).text ?? answer.statusCode}`);
    };
    const finished = async (arn: string) => {
      const done = await engine.runtime.waitForExecution(arn);
      mark(`${done.status === 'SUCCEEDED' ? 'succeeded' : `failed: ${done.error}`}`);
      return done;
    };

    // Release 1 goes live before the load starts: there is nothing to protect yet.
    const first = await finished(await push(VERSIONS.v1));
    if (first.status !== 'SUCCEEDED') throw new Error(`the first release did not go live: ${first.error} ${first.cause}`);
    await servingOnly(url, VERSIONS.v1, cloud.realMs(60));

    loads.push(startLoad({ url, rps: options.rps }));
    // Beta testers: a quarter as many requests again, asking for the green release.
    if (options.strategy === 'header-canary') loads.push(startLoad({ url, rps: Math.max(4, Math.round(options.rps / 4)), headers: { 'x-client-mode': 'green' } }));
    const meter = setInterval(() => progress(meterLine(t0, loads, timeline)), 1000);
    stops.unshift(() => Promise.resolve(clearInterval(meter)));
    await sleep(cloud.realMs(10));

    const promoteWhenAsked = async (arn: string, untilDone: Promise<unknown>) => {
      if (options.strategy !== 'header-canary') return;
      const asked = await Promise.race([waitForWait(engine, 'promotion'), untilDone.then(() => false)]);
      if (!asked) return;
      await sleep(cloud.realMs(20)); // people look at the canary before they promote
      if ((await engine.store.getWait(SERVICE))?.taken === null) await slackCommand(`promote ${SERVICE}`);
      void arn;
    };

    const second = await push(VERSIONS.v2);
    const secondDone = finished(second);
    if (options.scenario !== 'never-healthy') await promoteWhenAsked(second, secondDone);
    const result = await secondDone;
    const expected = options.scenario === 'never-healthy' ? 'FAILED' : 'SUCCEEDED';
    if (result.status !== expected) throw new Error(`deploying ${VERSIONS.v2} ended ${result.status} (${result.error}: ${result.cause}), expected ${expected}`);

    if (options.scenario === 'bad-release') {
      await sleep(cloud.realMs(10));
      const third = await finished(await push(VERSIONS.v3));
      if (third.error !== 'RolledBack') throw new Error(`the faulty ${VERSIONS.v3} was not rolled back: ${third.status} ${third.error} ${third.cause}`);
    }
    await sleep(cloud.realMs(10));

    const samples = await stopLoads(loads, t0);
    loads.length = 0;
    const summary = summarize(samples);
    const executions = engine.runtime.listExecutions({ stateMachineArn: engine.stateMachineArn }).executions ?? [];
    return {
      samples,
      report: {
        strategy: options.strategy,
        scenario: options.scenario,
        ...summary,
        timeline,
        rollback,
        apiCalls: cloud.apiCalls(),
        stateTransitions: executions.reduce((sum, e) => sum + engine.runtime.countStateTransitions(e.executionArn!), 0),
        versionsSeen: versionsInOrder(samples),
        durationMs: Date.now() - t0,
      },
    };
  } finally {
    await stopLoads(loads, t0);
    for (const stop of stops) await stop();
  }
}

function rehearsalConfig(strategy: Strategy, scenario: Scenario, infra: Awaited<ReturnType<typeof seedInfrastructure>>, url: string): Config {
  return parseConfig({
    services: [
      {
        name: SERVICE,
        github: { repository: REPOSITORY, branch: 'main', manifest: 'VERSION' },
        listener: { loadBalancerArn: infra.loadBalancerArn, listenerArn: infra.listenerArn },
        launchTemplate: { id: infra.launchTemplateId, versionVariable: 'APP_VERSION' },
        subnets: infra.subnetIds,
        capacity: { min: 2, max: 2, desired: 2 },
        targetGroup: { vpcId: infra.vpcId, healthCheckPath: '/health', healthCheckIntervalSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2, deregistrationDelaySeconds: 10 },
        strategy:
          strategy === 'header-canary'
            ? { type: 'header-canary', promotion: 'manual', promotionTimeoutMinutes: 30 }
            : strategy === 'weighted-canary'
              ? { type: 'weighted-canary', steps: [10, 50, 100] }
              : { type: 'blue-green' },
        // Instances boot 30 s and start their app 20 s before two 5 s health checks pass.
        healthGate: { deadlineSeconds: 180, pollSeconds: 2 },
        // ALB publishes a minute's 5xx a minute after it ends (local/cloud/realism.ts): where the faulty release of
        // bad-release bakes (blue-green, weighted canary), five minutes let its 60 s alarm decide; a header canary
        // is judged while it waits for promotion, however long.
        bake: { seconds: scenario === 'bad-release' && strategy !== 'header-canary' ? 300 : 60, alarms: { http5xx: { threshold: 1, periods: 1, periodSeconds: 60 } } },
        retention: { mode: 'warm', minutes: 1, generations: 0 },
        smokeTest: { url, expectStatus: 200, versionField: 'version' },
        slack: { channels: [SLACK_CHANNEL], users: [SLACK_USER] },
      },
    ],
  });
}

/** The workflow steps a person watching would call phases. */
function phaseOf(event: StepEvent): string | null {
  const { version } = event.state;
  switch (event.step) {
    case 'createTargetGroup':
      return `create release of ${version}`;
    case 'attachCandidate':
      return `health-check ${version} (weight 0)`;
    case 'shiftTraffic':
      return `shift to ${version}`;
    case 'advance':
      return `advance ${version}`;
    case 'promote':
      return `promote ${version}`;
    case 'rollBack':
      return event.state.rolledBack === false ? null : `roll back ${version}`;
    case 'retire':
      return 'retire the old release';
    case 'compensate':
      return `remove ${version}`;
    default:
      return null;
  }
}

/** Slack's Web API, replaced by the progress log: the rehearsal posts nowhere. */
function slackLog(progress: (line: string) => void): SlackApi {
  return {
    usergroupMembers: () => Promise.resolve([]),
    respond: (_url, message) => Promise.resolve(progress(`  slack: ${message.text}`)),
    postMessage: (_channel, message) => Promise.resolve(void progress(`  slack: ${message.text}`)).then(() => ({ ts: String(Date.now()) })),
    updateMessage: (_channel, _ts, message) => Promise.resolve(progress(`  slack: ${message.text}`)),
  };
}

/** Until the listener serves only `version` (its last change reached the load balancer), at most `timeoutMs`. */
async function servingOnly(url: string, version: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answers = await Promise.all(Array.from({ length: 5 }, async () => ((await (await fetch(url)).json().catch(() => ({}))) as { version?: string }).version));
    if (answers.every((v) => v === version)) return;
    if (Date.now() > deadline) throw new Error(`the listener does not serve ${version} only: ${answers.join(', ')}`);
    await sleep(20);
  }
}

async function waitForWait(engine: LocalEngine, kind: string): Promise<boolean> {
  for (;;) {
    const wait = await engine.store.getWait(SERVICE);
    if (wait?.kind === kind && wait.taken === null) return true;
    await sleep(50);
  }
}

async function stopLoads(loads: Load[], t0: number): Promise<Sample[]> {
  const all: Sample[] = [];
  for (const load of loads) {
    await load.stop();
    const offset = load.startedAt - t0;
    all.push(...load.samples().map((s) => ({ ...s, at: s.at + offset })));
  }
  return all.sort((a, b) => a.at - b.at);
}

function versionsInOrder(samples: readonly Sample[]): string[] {
  const seen: string[] = [];
  for (const s of samples) if (s.version && !seen.includes(s.version)) seen.push(s.version);
  return seen;
}

function meterLine(t0: number, loads: Load[], timeline: RehearsalReport['timeline']): string {
  const now = Date.now() - t0;
  const recent = loads.flatMap((l) => l.samples().filter((s) => s.at + l.startedAt - t0 > now - 1000));
  const all = summarize(loads.flatMap((l) => [...l.samples()]));
  const last = summarize(recent);
  const total = Object.values(last.byVersion).reduce((a, b) => a + b, 0) || 1;
  const share = Object.entries(last.byVersion)
    .map(([v, n]) => `${v} ${Math.round((100 * n) / total)}%`)
    .join('  ');
  const phase = timeline.at(-1)?.phase ?? '';
  return `[${(now / 1000).toFixed(1).padStart(6)}s] ${phase.padEnd(32).slice(0, 32)} | ${share.padEnd(22)} | requests ${all.requests} failed ${all.failed} appErrors ${all.appErrors} | p99 ${last.latencyMs.p99} ms`;
}

function writeLocalFile(path: string, cloud: LocalCloud, engine: LocalEngine, dynamodbEndpoint: string, config: Config): void {
  mkdirSync(dirname(path), { recursive: true });
  const configFile = `${dirname(path)}/services.json`;
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  writeFileSync(
    path,
    `${JSON.stringify({ awsEndpoint: cloud.endpoint, stepFunctionsEndpoint: engine.stepFunctionsEndpoint, dynamodbEndpoint, tableName: 'bluegreen', stateMachineArn: engine.stateMachineArn, configFile }, null, 2)}\n`,
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
