// The local cloud: an embedded emulation of exactly the AWS parts the
// deployment workflow touches — ELBv2, Auto Scaling, EC2 (networks and launch
// templates), CloudWatch (metrics, alarms) and the EventBridge alarm events —
// with a real data plane on loopback: every listener is an HTTP server, every
// Auto Scaling instance a process of `local/sample-app.ts` (or an in-process
// server in `inline` mode). Ordinary AWS SDK v3 clients work against
// `endpoint` unchanged. See local/cloud/README.md.
import type { AppFaults } from '../sample-app.ts';
import { ApiCalls, type ApiCallCounts } from './api-calls.ts';
import { startApiServer } from './api-server.ts';
import { AutoScaling, HEALTH_SWEEP_SECONDS } from './autoscaling/auto-scaling.ts';
import { Fleet } from './autoscaling/fleet.ts';
import { Clock } from './clock.ts';
import { recordHostCounts, recordRequest } from './cloudwatch/alb-metrics.ts';
import { CloudWatch } from './cloudwatch/cloudwatch.ts';
import type { MetricIdentity } from './cloudwatch/metric-store.ts';
import { statistic as computeStatistic } from './cloudwatch/statistics.ts';
import { ec2Endpoint } from './ec2/ec2.ts';
import { Instances } from './ec2/instances.ts';
import { LaunchTemplates } from './ec2/launch-templates.ts';
import { Network } from './ec2/network.ts';
import { Elbv2 } from './elbv2/elbv2.ts';
import { EventBus, type CloudEventListener } from './event-bus.ts';
import { Faults, type FaultSpec, type InjectedFault } from './faults.ts';
import { InlineLauncher } from './instances/inline-launcher.ts';
import type { InstanceMode } from './instances/launcher.ts';
import { ProcessLauncher } from './instances/process-launcher.ts';
import { createLog, type CloudLogSink } from './log.ts';
import { realismOf, type Realism } from './realism.ts';

export type { ApiCallCounts } from './api-calls.ts';
export type { AlarmStateChangeEvent } from './cloudwatch/alarm-event.ts';
export type { MetricIdentity } from './cloudwatch/metric-store.ts';
export type { CloudEvent, CloudEventListener } from './event-bus.ts';
export type { FaultSpec, InjectedFault } from './faults.ts';
export type { InstanceMode } from './instances/launcher.ts';
export type { CloudLogEntry, CloudLogSink } from './log.ts';
export type { Realism } from './realism.ts';
export { AWS_REALISM } from './realism.ts';
export type { CloudService } from './services.ts';
export type { AppFaults } from '../sample-app.ts';

export interface LocalCloudOptions {
  /** Real seconds per AWS second (health checks, draining, alarm periods…); default 1. 0.1 runs ten times faster. */
  timeScale?: number;
  /** Where AWS is slow or eventual, so is the local cloud (AWS_REALISM); `{ albMetrics: false }` turns one behaviour off. */
  realism?: Partial<Realism>;
  /** Default us-east-1. */
  region?: string;
  /** Loopback address of the API endpoint and every listener; default 127.0.0.1. */
  host?: string;
  /** Port of the API endpoint; default 0 (any free port). */
  port?: number;
  /** `process` (default): one child process per instance; `inline`: servers inside this process, for large benchmarks. */
  instanceMode?: InstanceMode;
  /** Misbehaviour of the sample app per release version (the value of the version variable). */
  faults?: Record<string, AppFaults>;
  /** User-data variable holding the release version (the service config's `versionVariable`); default APP_VERSION. */
  versionVariable?: string;
  /** Path of the sample app's health endpoint; default /health. */
  healthPath?: string;
  /** Real seconds an instance gets to finish in-flight requests after SIGTERM; default 10. */
  stopGraceSeconds?: number;
  /** Source of randomness for weighted routing; default Math.random. */
  random?: () => number;
  /** Receives the cloud's structured activity log (instances, targets, alarms…); default: silent. */
  log?: CloudLogSink;
}

export interface InstanceInfo {
  instanceId: string;
  version: string;
  state: 'pending' | 'running' | 'shutting-down' | 'terminated';
  impaired: boolean;
  /** Loopback port of the instance's app process, once it listens (the load balancer reaches it once the app started). */
  port?: number;
  /** The app has started and answers the load balancer. */
  answering: boolean;
}

export interface CloudMetrics {
  /** Every metric that has data, optionally of one namespace (`AWS/ApplicationELB`). */
  list: (namespace?: string) => MetricIdentity[];
  /** A statistic (`Sum`, `Average`, `p99`…) of the samples recorded in [startMs, endMs) of real time, published or not; undefined when there is none. */
  statistic: (metric: MetricIdentity, statistic: string, startMs: number, endMs?: number) => number | undefined;
  /** Adds one sample now (or at `timestampMs`). */
  put: (metric: MetricIdentity, value: number, timestampMs?: number) => void;
}

export interface LocalCloud {
  /** `http://127.0.0.1:<port>`: the endpoint of every emulated service. */
  readonly endpoint: string;
  readonly region: string;
  readonly timeScale: number;
  /** The AWS behaviours this cloud models, with their delays. */
  readonly realism: Readonly<Realism>;
  /** Everything an SDK v3 client needs: `new ElasticLoadBalancingV2Client(cloud.clientConfig())`. */
  clientConfig: () => { endpoint: string; region: string; credentials: { accessKeyId: string; secretAccessKey: string } };
  /** Real milliseconds that `seconds` of AWS time take at this time scale. */
  realMs: (seconds: number) => number;
  /** `http://127.0.0.1:<port>` of a listener's data plane. Throws for an unknown listener. */
  listenerUrl: (listenerArn: string) => string;
  /** Calls answered so far, per service and operation (injected failures included). */
  apiCalls: () => ApiCallCounts;
  resetApiCalls: () => void;
  /** Makes matching calls fail with an AWS error; `remove()` the returned fault to stop. */
  injectFault: (spec: FaultSpec) => InjectedFault;
  clearFaults: () => void;
  /** Registers an EventBridge listener (alarm state changes); returns its removal. */
  onEvent: (listener: CloudEventListener) => () => void;
  /** Resolves once every event emitted so far was delivered to the listeners. */
  eventsDelivered: () => Promise<void>;
  readonly metrics: CloudMetrics;
  /** Changes a version's faults, for running instances of that version and later launches. */
  setVersionFaults: (version: string, faults: AppFaults) => void;
  /** Every instance launched so far. */
  instances: () => InstanceInfo[];
  /** Stops every server and timer and ends every instance process; nothing is left running. */
  stop: () => Promise<void>;
}

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const region = options.region ?? 'us-east-1';
  const host = options.host ?? '127.0.0.1';
  const clock = new Clock(options.timeScale ?? 1);
  const realism = realismOf(options.realism);
  const log = createLog(options.log);
  const random = options.random ?? Math.random;
  const calls = new ApiCalls();
  const faults = new Faults(random);
  const events = new EventBus(log);

  const launcher = options.instanceMode === 'inline' ? new InlineLauncher() : new ProcessLauncher();
  const network = new Network(region);
  const launchTemplates = new LaunchTemplates();
  const instances = new Instances(
    launcher,
    clock,
    { versionVariable: options.versionVariable ?? 'APP_VERSION', healthPath: options.healthPath ?? '/health', stopGraceSeconds: options.stopGraceSeconds ?? 10, boot: realism.instanceBoot },
    options.faults ?? {},
    log,
  );
  const cloudWatch = new CloudWatch(region, clock, events, log, realism.albMetrics);
  const elbv2 = new Elbv2({
    region,
    host,
    clock,
    log,
    random,
    subnet: (id) => network.subnet(id),
    vpcExists: (id) => network.vpc(id) !== undefined,
    instanceRegistrable: (id) => ['pending', 'running'].includes(instances.get(id)?.state ?? ''),
    resolveAddress: (targetType, id, port) => (targetType === 'ip' ? { host: id, port } : instances.address(id)),
    recordRequest: (outcome) => recordRequest(cloudWatch.metrics, outcome),
    realism,
  });
  const autoScaling = new AutoScaling({
    region,
    clock,
    log,
    network,
    launchTemplates,
    instanceTargetGroup: (arn) => elbv2.targetGroup(arn)?.description.TargetType === 'instance',
    deletion: realism.groupDeletion,
  });
  autoScaling.useFleet(
    new Fleet({
      clock,
      log,
      activities: autoScaling.activities,
      instances,
      launchTemplates,
      network,
      targetGroup: (arn) => elbv2.targetGroup(arn),
      onGroupGone: (group) => autoScaling.removeGroup(group),
    }),
  );

  const api = await startApiServer(host, options.port ?? 0, {
    services: [elbv2.endpoint(), autoScaling.endpoint(), ec2Endpoint(network, launchTemplates, instances, log), cloudWatch.endpoint()],
    calls,
    faults,
    log,
  });
  clock.every(10, () => recordHostCounts(cloudWatch.metrics, elbv2.hostCounts()));
  clock.every(HEALTH_SWEEP_SECONDS, () => autoScaling.checkHealth());
  const killChildren = () => (launcher instanceof ProcessLauncher ? launcher.killAllNow() : undefined);
  process.once('exit', killChildren);
  log('api', 'started', { endpoint: api.endpoint, timeScale: clock.timeScale, instanceMode: options.instanceMode ?? 'process', realism });

  let stopped: Promise<void> | undefined;
  return {
    endpoint: api.endpoint,
    region,
    timeScale: clock.timeScale,
    realism,
    clientConfig: () => ({ endpoint: api.endpoint, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    realMs: (seconds) => clock.ms(seconds),
    listenerUrl: (arn) => elbv2.listenerUrl(arn),
    apiCalls: () => calls.snapshot(),
    resetApiCalls: () => calls.reset(),
    injectFault: (spec) => faults.inject(spec),
    clearFaults: () => faults.clear(),
    onEvent: (listener) => events.on(listener),
    eventsDelivered: () => events.drained(),
    metrics: {
      list: (namespace) => cloudWatch.metrics.list(namespace),
      statistic: (metric, name, startMs, endMs = Date.now()) => {
        const samples = cloudWatch.metrics.window(metric, startMs, endMs);
        return samples ? computeStatistic(samples, name) : undefined;
      },
      put: (metric, value, timestampMs) => cloudWatch.metrics.put(metric, value, timestampMs),
    },
    setVersionFaults: (version, appFaults) => instances.setFaults(version, appFaults),
    instances: () => instances.all().map((i) => ({ instanceId: i.id, version: i.version, state: i.state, impaired: i.impaired, port: i.port, answering: i.answering })),
    stop: () =>
      (stopped ??= (async () => {
        clock.stop();
        cloudWatch.stop();
        await api.close();
        await elbv2.close();
        await instances.terminateAll();
        if (launcher instanceof ProcessLauncher) await launcher.killAll();
        else await launcher.closeAll();
        process.removeListener('exit', killChildren);
        log('api', 'stopped', {});
      })()),
  };
}
