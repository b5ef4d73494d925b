// The data plane of the local cloud: a listener is a real HTTP server that
// routes like an ALB, and target groups health-check and drain their targets.
// Targets here are plain HTTP servers of the test (an `ip` target group), so
// each behaviour is provoked exactly; everything is set up through the SDK.
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
  type Action,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '../../local/cloud/local-cloud.ts';

/** 10 AWS seconds last 200 ms. */
const TIME_SCALE = 0.02;

interface Backend {
  name: string;
  port: number;
  healthChecks: number;
  healthy: boolean;
  /** Real milliseconds `/health` takes to answer. */
  healthDelayMs: number;
  server: Server;
}

let cloud: LocalCloud;
let elbv2: ElasticLoadBalancingV2Client;
let ec2: EC2Client;
let vpcId: string;
let subnetIds: string[];
const backends: Backend[] = [];

beforeAll(async () => {
  cloud = await startLocalCloud({ timeScale: TIME_SCALE });
  const config = { ...cloud.clientConfig(), maxAttempts: 1 };
  elbv2 = new ElasticLoadBalancingV2Client(config);
  ec2 = new EC2Client(config);
  vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }))).Vpc!.VpcId!;
  subnetIds = await Promise.all(
    ['us-east-1a', 'us-east-1b'].map(async (zone, i) => (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `10.1.${i}.0/24`, AvailabilityZone: zone }))).Subnet!.SubnetId!),
  );
});

afterAll(async () => {
  elbv2?.destroy();
  ec2?.destroy();
  await cloud?.stop();
  await Promise.all(backends.map((b) => new Promise((resolve) => b.server.close(resolve))));
});

/** A target: answers `{ name }`, `/health` by its `healthy` switch, `?delayMs=` late. */
async function backend(name: string): Promise<Backend> {
  const b = { name, port: 0, healthChecks: 0, healthy: true, healthDelayMs: 0 } as Backend;
  b.server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    if (url.pathname === '/health') {
      b.healthChecks++;
      setTimeout(() => res.writeHead(b.healthy ? 200 : 503).end(), b.healthDelayMs);
      return;
    }
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name })), Number(url.searchParams.get('delayMs') ?? 0));
  });
  await new Promise<void>((resolve) => b.server.listen(0, '127.0.0.1', resolve));
  b.port = (b.server.address() as AddressInfo).port;
  backends.push(b);
  return b;
}

async function loadBalancer(name: string): Promise<string> {
  return (await elbv2.send(new CreateLoadBalancerCommand({ Name: name, Subnets: subnetIds }))).LoadBalancers![0]!.LoadBalancerArn!;
}

/** An `ip` target group checked every 5 s (100 ms here), healthy after 2 passes, unhealthy after 2 failures. */
async function targetGroup(name: string, targets: Backend[], deregistrationDelaySeconds = 0): Promise<string> {
  const created = await elbv2.send(
    new CreateTargetGroupCommand({
      Name: name,
      Protocol: 'HTTP',
      Port: 80,
      VpcId: vpcId,
      TargetType: 'ip',
      HealthCheckPath: '/health',
      HealthCheckIntervalSeconds: 5,
      HealthCheckTimeoutSeconds: 2,
      HealthyThresholdCount: 2,
      UnhealthyThresholdCount: 2,
    }),
  );
  const arn = created.TargetGroups![0]!.TargetGroupArn!;
  await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(deregistrationDelaySeconds) }] }));
  if (targets.length) await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets.map((t) => ({ Id: '127.0.0.1', Port: t.port })) }));
  return arn;
}

async function listener(loadBalancerArn: string, defaultAction: Action): Promise<{ arn: string; url: string }> {
  const created = await elbv2.send(new CreateListenerCommand({ LoadBalancerArn: loadBalancerArn, Port: 80, Protocol: 'HTTP', DefaultActions: [defaultAction] }));
  const arn = created.Listeners![0]!.ListenerArn!;
  return { arn, url: cloud.listenerUrl(arn) };
}

const forward = (...groups: [arn: string, weight: number][]): Action => ({ Type: 'forward', ForwardConfig: { TargetGroups: groups.map(([TargetGroupArn, Weight]) => ({ TargetGroupArn, Weight })) } });

async function health(targetGroupArn: string): Promise<string[]> {
  const described = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return described.TargetHealthDescriptions!.map((d) => `${d.Target!.Port}:${d.TargetHealth!.State}${d.TargetHealth!.Reason ? `:${d.TargetHealth!.Reason}` : ''}`);
}

async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  const res = await fetch(url, { headers });
  return { status: res.status, body: await res.text() };
}

const nameOf = (body: string): string => (JSON.parse(body) as { name: string }).name;

describe('health checks', () => {
  it('leaves targets unused until a listener uses the group, then makes them healthy after HealthyThresholdCount checks', async () => {
    // Prepare
    const target = await backend('checked');
    const tg = await targetGroup('health-thresholds', [target]);
    await new Promise((r) => setTimeout(r, cloud.realMs(15)));
    const beforeListener = await health(tg);

    // Act
    await listener(await loadBalancer('health-thresholds'), forward([tg, 1]));
    const initial = await health(tg);
    const healthy = await eventually(() => health(tg), (h) => h[0]?.startsWith(`${target.port}:healthy`) ?? false);

    // Assess
    expect(beforeListener).toEqual([`${target.port}:unused:Target.NotInUse`]);
    expect(initial[0]).toMatch(/:initial:Elb\.(RegistrationInProgress|InitialHealthChecking)$/);
    expect(healthy).toEqual([`${target.port}:healthy`]);
    expect(target.healthChecks).toBeGreaterThanOrEqual(2);
  });

  it('gives a health check at least two real seconds, however small its scaled timeout (2 s is 40 ms here)', async () => {
    // Prepare: a target whose health answers take 150 ms, as on a busy machine
    const target = await backend('busy');
    target.healthDelayMs = 150;
    const tg = await targetGroup('busy', [target]);

    // Act
    await listener(await loadBalancer('busy'), forward([tg, 1]));
    const seen = new Set<string>();
    const healthy = await eventually(
      async () => {
        const h = await health(tg);
        for (const t of h) seen.add(t);
        return h;
      },
      (h) => h[0]?.endsWith(':healthy') ?? false,
    );

    // Assess
    expect(healthy).toEqual([`${target.port}:healthy`]);
    expect([...seen].filter((t) => t.includes('Timeout'))).toEqual([]);
  });

  it('marks a failing target unhealthy with its reason, and healthy again once it passes', async () => {
    // Prepare
    const target = await backend('flapping');
    const tg = await targetGroup('flapping', [target]);
    await listener(await loadBalancer('flapping'), forward([tg, 1]));
    await eventually(() => health(tg), (h) => h[0]?.endsWith(':healthy') ?? false);

    // Act
    target.healthy = false;
    const unhealthy = await eventually(() => health(tg), (h) => h[0]?.includes(':unhealthy') ?? false);
    target.healthy = true;
    const recovered = await eventually(() => health(tg), (h) => h[0]?.endsWith(':healthy') ?? false);

    // Assess
    expect(unhealthy).toEqual([`${target.port}:unhealthy:Target.ResponseCodeMismatch`]);
    expect(recovered).toEqual([`${target.port}:healthy`]);
  });
});

describe('routing', () => {
  let url: string;
  let green: string;

  beforeAll(async () => {
    const blueGroup = await targetGroup('routing-blue', [await backend('blue')]);
    const greenGroup = await targetGroup('routing-green', [await backend('green')]);
    const lbArn = await loadBalancer('routing');
    const created = await listener(lbArn, forward([blueGroup, 1]));
    url = created.url;
    green = greenGroup;
    await elbv2.send(new CreateRuleCommand({ ListenerArn: created.arn, Priority: 10, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Client-Mode', Values: ['green'] } }], Actions: [forward([greenGroup, 1])] }));
    await elbv2.send(new CreateRuleCommand({ ListenerArn: created.arn, Priority: 11, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['blu?', 'b*e'] } }], Actions: [forward([blueGroup, 1])] }));
    await elbv2.send(
      new CreateRuleCommand({ ListenerArn: created.arn, Priority: 12, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-client-mode', Values: ['*'] } }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'no release for this client mode' } }] }),
    );
    await Promise.all([blueGroup, greenGroup].map((tg) => eventually(() => health(tg), (h) => h[0]?.endsWith(':healthy') ?? false)));
  });

  it.each<{ name: string; headers: Record<string, string>; status: number; body: string }>([
    { name: 'green header (any case) to the green group', headers: { 'x-client-mode': 'GREEN' }, status: 200, body: 'green' },
    { name: 'blue header by wildcard to the blue group', headers: { 'X-CLIENT-MODE': 'blue' }, status: 200, body: 'blue' },
    { name: 'any other value to the fixed 404', headers: { 'x-client-mode': 'purple' }, status: 404, body: 'no release for this client mode' },
    { name: 'no header to the default action', headers: {}, status: 200, body: 'blue' },
  ])('sends a request with $name', async ({ headers, status, body }) => {
    // Act
    const answer = await get(url, headers);

    // Assess
    expect(answer.status).toBe(status);
    expect(status === 200 ? nameOf(answer.body) : answer.body).toBe(body);
  });

  it('splits a weighted forward by weight', async () => {
    // Prepare
    const lbArn = await loadBalancer('weighted');
    const blue = await targetGroup('weighted-blue', [await backend('w-blue')]);
    const greenGroup = await targetGroup('weighted-green', [await backend('w-green')]);
    const { url: weighted } = await listener(lbArn, forward([blue, 3], [greenGroup, 1]));
    await Promise.all([blue, greenGroup].map((tg) => eventually(() => health(tg), (h) => h[0]?.endsWith(':healthy') ?? false)));

    // Act
    const names = [];
    for (let i = 0; i < 400; i++) names.push(nameOf((await get(weighted)).body));

    // Assess: 25 % expected; 3.5 standard deviations either side
    const share = names.filter((n) => n === 'w-green').length / names.length;
    expect(share).toBeGreaterThan(0.17);
    expect(share).toBeLessThan(0.33);
  });

  it('publishes RequestCount and response codes per load balancer and target group', async () => {
    // Prepare
    const since = Date.now() - 1;
    const targetGroupDimension = green.split(':').pop()!;
    const metric = (metricName: string, from = since) => {
      const found = cloud.metrics.list('AWS/ApplicationELB').find((m) => m.metricName === metricName && m.dimensions.TargetGroup === targetGroupDimension);
      return found ? cloud.metrics.statistic(found, 'Sum', from) : undefined;
    };
    // Samples are kept at about one AWS second: counted from the start, before and after, a sample stamped just before `since` still counts.
    const total = (metricName: string) => metric(metricName, 0) ?? 0;
    const before = { requests: total('RequestCount'), ok: total('HTTPCode_Target_2XX_Count') };

    // Act
    for (let i = 0; i < 5; i++) await get(url, { 'x-client-mode': 'green' });

    // Assess
    expect(total('RequestCount') - before.requests).toBe(5);
    expect(total('HTTPCode_Target_2XX_Count') - before.ok).toBe(5);
    expect(metric('HTTPCode_Target_5XX_Count')).toBeUndefined();
    expect(targetGroupDimension).toMatch(/^targetgroup\/routing-green\/[0-9a-f]{16}$/);
  });
});

// "CloudWatch metrics for your Application Load Balancer": sent in 60-second intervals; here a minute after the
// minute ends (the default realism), one datapoint stamped with the minute's start.
it('shows the load balancer metrics in CloudWatch one datapoint a minute, once the minute is published', async () => {
  // Prepare: a listener of its own, and a minute just begun
  const cloudWatch = new CloudWatchClient({ ...cloud.clientConfig(), maxAttempts: 1 });
  const tg = await targetGroup('published', [await backend('published')]);
  const lbArn = await loadBalancer('published');
  const { url } = await listener(lbArn, forward([tg, 1]));
  await eventually(() => health(tg), (h) => h[0]?.endsWith(':healthy') ?? false);
  const minuteMs = cloud.realMs(60);
  await new Promise((r) => setTimeout(r, minuteMs - (Date.now() % minuteMs) + 20));
  const minute = Math.floor(Date.now() / minuteMs) * minuteMs;
  const requests = (period: number) =>
    cloudWatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'RequestCount',
        Dimensions: [
          { Name: 'LoadBalancer', Value: lbArn.split(':loadbalancer/')[1]! },
          { Name: 'TargetGroup', Value: tg.split(':').pop()! },
        ],
        StartTime: new Date(minute - minuteMs),
        EndTime: new Date(minute + 3 * minuteMs),
        Period: period,
        Statistics: ['Sum'],
      }),
    );

  // Act
  for (let i = 0; i < 5; i++) await get(url);
  const whileSent = await requests(60);
  await new Promise((r) => setTimeout(r, minute + 2 * minuteMs + 20 - Date.now()));
  const published = await requests(60);
  const tenSeconds = await requests(10);
  cloudWatch.destroy();

  // Assess
  expect(whileSent.Datapoints).toEqual([]);
  expect(published.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.Sum])).toEqual([[minute, 5]]);
  expect(tenSeconds.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.Sum])).toEqual([[minute, 5]]);
});

describe('failures', () => {
  it('answers 503 when the group has no target, 502 when the target refuses connections (failing open to it), 504 past the idle timeout', async () => {
    // Prepare
    const lbArn = await loadBalancer('failures');
    const empty = await targetGroup('failures-empty', []);
    const gone = await backend('gone');
    const closed = await targetGroup('failures-closed', [gone]);
    const slow = await targetGroup('failures-slow', [await backend('slow')]);
    await new Promise((resolve) => gone.server.close(resolve));
    await elbv2.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '10' }] }));
    const created = await listener(lbArn, forward([empty, 1]));
    const rule = (priority: number, value: string, tg: string) =>
      elbv2.send(new CreateRuleCommand({ ListenerArn: created.arn, Priority: priority, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'x-case', Values: [value] } }], Actions: [forward([tg, 1])] }));
    await rule(1, 'closed', closed);
    await rule(2, 'slow', slow);
    await eventually(() => health(closed), (h) => h[0]?.includes(':unhealthy') ?? false);
    await eventually(() => health(slow), (h) => h[0]?.endsWith(':healthy') ?? false);

    // Act
    const noTarget = await get(created.url);
    const refused = await get(created.url, { 'x-case': 'closed' });
    const late = await get(`${created.url}/?delayMs=${cloud.realMs(10) + 500}`, { 'x-case': 'slow' });

    // Assess
    expect(noTarget.status).toBe(503);
    expect(await health(closed)).toEqual([`${gone.port}:unhealthy:Target.FailedHealthChecks`]);
    expect(refused.status).toBe(502);
    expect(late.status).toBe(504);
  });
});

describe('deregistration', () => {
  it('drains a target: no new requests, the in-flight slow request completes with 200, then the target is gone', async () => {
    // Prepare: deregistration delay 50 s (1 s here), a 600 ms request in flight
    const leaving = await backend('leaving');
    const staying = await backend('staying');
    const tg = await targetGroup('draining', [leaving, staying], 50);
    const { url } = await listener(await loadBalancer('draining'), forward([tg, 1]));
    await eventually(() => health(tg), (h) => h.length === 2 && h.every((s) => s.endsWith(':healthy')));
    const inFlight: Promise<{ status: number; body: string }>[] = [];
    for (let i = 0; i < 4; i++) inFlight.push(get(`${url}/?delayMs=600`));
    await new Promise((r) => setTimeout(r, 100));

    // Act
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '127.0.0.1', Port: leaving.port }] }));
    const during = await health(tg);
    const afterwards = await Promise.all(Array.from({ length: 6 }, () => get(url)));
    const slowAnswers = await Promise.all(inFlight);
    const gone = await eventually(() => health(tg), (h) => h.length === 1);

    // Assess
    expect(during).toContain(`${leaving.port}:draining:Target.DeregistrationInProgress`);
    expect(afterwards.map((a) => nameOf(a.body))).toEqual(Array(6).fill('staying'));
    expect(slowAnswers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(slowAnswers.map((a) => nameOf(a.body))).toContain('leaving');
    expect(gone).toEqual([`${staying.port}:healthy`]);
  });
});

describe('keep-alive', () => {
  it('serves keep-alive clients without a single error while the listener switches target groups', async () => {
    // Prepare
    const blue = await targetGroup('keepalive-blue', [await backend('k-blue')]);
    const greenGroup = await targetGroup('keepalive-green', [await backend('k-green')]);
    const lbArn = await loadBalancer('keepalive');
    // Both groups stay referenced (weight 0 for the idle one) so both keep being health-checked.
    const created = await listener(lbArn, forward([blue, 1], [greenGroup, 0]));
    await Promise.all([blue, greenGroup].map((tg) => eventually(() => health(tg), (h) => h[0]?.endsWith(':healthy') ?? false)));
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    const sockets = new Set<unknown>();
    const answers: string[] = [];
    const errors: string[] = [];
    let running = true;
    const client = async () => {
      while (running) {
        try {
          const res = await new Promise<IncomingMessage>((resolve, reject) => request(created.url, { agent }, resolve).on('error', reject).end());
          sockets.add(res.socket);
          let body = '';
          for await (const chunk of res) body += String(chunk);
          answers.push(res.statusCode === 200 ? nameOf(body) : `status ${res.statusCode}`);
        } catch (error) {
          errors.push(String(error));
        }
      }
    };
    const clients = [client(), client(), client(), client()];

    // Act: switch the default action back and forth under load
    for (const [serving, idle] of [[greenGroup, blue], [blue, greenGroup], [greenGroup, blue], [blue, greenGroup], [greenGroup, blue]] as const) {
      await new Promise((r) => setTimeout(r, 150));
      await elbv2.send(new ModifyListenerCommand({ ListenerArn: created.arn, DefaultActions: [forward([serving, 1], [idle, 0])] }));
    }
    await new Promise((r) => setTimeout(r, 150));
    running = false;
    await Promise.all(clients);
    agent.destroy();

    // Assess
    expect(errors).toEqual([]);
    expect(answers.filter((a) => a.startsWith('status'))).toEqual([]);
    expect(new Set(answers)).toEqual(new Set(['k-blue', 'k-green']));
    expect(answers.at(-1)).toBe('k-green');
    expect(sockets.size).toBeLessThanOrEqual(4);
    expect(answers.length).toBeGreaterThan(100);
  });
});
