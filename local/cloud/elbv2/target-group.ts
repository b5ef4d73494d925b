// A target group at run time: its registered targets, their health as ALB
// health checks see it, deregistration draining, and the choice of a target
// for each request (healthy ones; all of them when none is healthy — ALB's
// fail-open). One keep-alive agent per group carries the forwarded requests.
import { Agent, type ClientRequest } from 'node:http';
import type { TargetDescription, TargetGroup, TargetHealth, TargetHealthDescription, TargetHealthReasonEnum } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Clock } from '../clock.ts';
import type { Log } from '../log.ts';
import { parseMatcher, probe } from './health-check.ts';

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining';

export interface Target {
  readonly id: string;
  readonly port: number;
  readonly availabilityZone?: string;
  state: TargetState;
  reason?: TargetHealthReasonEnum;
  description?: string;
  okStreak: number;
  failStreak: number;
  /** Requests forwarded to the target and not yet answered. */
  readonly inFlight: Set<ClientRequest>;
  cancelChecks?: () => void;
  cancelDrain?: () => void;
  readonly removed: Promise<void>;
  markRemoved: () => void;
}

export interface TargetAddressResolver {
  (targetType: string, id: string, port: number): { host: string; port: number } | undefined;
}

/**
 * Real milliseconds a health check waits at least, whatever the time scale. AWS's timeouts are seconds long, far
 * above an answer's latency; scaled down (4 s is 80 ms at 0.02) they would fall below a busy machine's scheduling
 * delays, which are real time, and healthy targets would time out.
 */
const HEALTH_CHECK_TIMEOUT_FLOOR_MS = 2000;

/** Seconds an idle keep-alive connection to a target is kept (below Node's default server keep-alive of 5 s). */
const IDLE_SOCKET_MS = 4000;

export class TargetGroupRuntime {
  description: TargetGroup;
  readonly attributes: Map<string, string>;
  readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, timeout: IDLE_SOCKET_MS });
  /** `targetgroup/<name>/<id>`: the `TargetGroup` metric dimension. */
  readonly dimension: string;
  private readonly targets = new Map<string, Target>();
  private readonly clock: Clock;
  private readonly resolveAddress: TargetAddressResolver;
  private readonly log: Log;
  private loadBalancerArns: string[] = [];
  /** Real time the last listener or rule stopped forwarding to the group; undefined while one does, or never did. */
  private releasedAt: number | undefined;
  private matcher: (code: number) => boolean;
  private nextIndex = 0;

  constructor(description: TargetGroup, attributes: Map<string, string>, clock: Clock, resolveAddress: TargetAddressResolver, log: Log) {
    this.description = description;
    this.attributes = attributes;
    this.clock = clock;
    this.resolveAddress = resolveAddress;
    this.log = log;
    this.matcher = parseMatcher(description.Matcher?.HttpCode ?? '200');
    this.dimension = description.TargetGroupArn!.split(':').pop()!;
  }

  get arn(): string {
    return this.description.TargetGroupArn!;
  }

  get name(): string {
    return this.description.TargetGroupName!;
  }

  get inUse(): boolean {
    return this.loadBalancerArns.length > 0;
  }

  get usedBy(): string[] {
    return [...this.loadBalancerArns];
  }

  /** Real milliseconds since the last listener or rule stopped forwarding to the group (undefined: never referenced, or still is). */
  get releasedForMs(): number | undefined {
    return this.releasedAt === undefined ? undefined : Date.now() - this.releasedAt;
  }

  get targetCount(): number {
    return this.targets.size;
  }

  /** New health-check settings apply from the next check on. */
  updateDescription(description: TargetGroup): void {
    this.description = description;
    this.matcher = parseMatcher(description.Matcher?.HttpCode ?? '200');
  }

  /** Called whenever listeners change: health checks run only while a load balancer uses the group. */
  setLoadBalancers(arns: string[]): void {
    const wasInUse = this.inUse;
    this.loadBalancerArns = arns;
    if (this.inUse === wasInUse) return;
    this.releasedAt = this.inUse ? undefined : Date.now();
    for (const target of this.targets.values()) {
      if (target.state === 'draining') continue;
      if (this.inUse) this.startChecks(target);
      else target.cancelChecks?.();
    }
    this.log('elbv2', this.inUse ? 'target-group-in-use' : 'target-group-unused', { targetGroup: this.name });
  }

  register(descriptions: TargetDescription[]): void {
    for (const d of descriptions) {
      const port = d.Port ?? this.description.Port!;
      const existing = this.targets.get(key(d.Id!, port));
      if (existing && existing.state !== 'draining') continue;
      if (existing) {
        existing.cancelDrain?.();
        this.targets.delete(key(d.Id!, port));
        existing.markRemoved();
      }
      const target = newTarget(d.Id!, port, d.AvailabilityZone);
      this.targets.set(key(target.id, port), target);
      this.log('elbv2', 'target-registered', { targetGroup: this.name, target: target.id, port });
      if (this.inUse) this.startChecks(target);
    }
  }

  /** Starts draining: no new requests; in-flight ones have the deregistration delay to finish. */
  deregister(descriptions: TargetDescription[]): void {
    for (const d of descriptions) {
      const target = this.targets.get(key(d.Id!, d.Port ?? this.description.Port!));
      if (!target || target.state === 'draining') continue;
      target.cancelChecks?.();
      target.state = 'draining';
      target.reason = 'Target.DeregistrationInProgress';
      target.description = 'Target deregistration is in progress';
      const delay = Number(this.attributes.get('deregistration_delay.timeout_seconds') ?? 300);
      this.log('elbv2', 'target-draining', { targetGroup: this.name, target: target.id, delaySeconds: delay, inFlight: target.inFlight.size });
      target.cancelDrain = this.clock.after(delay, () => this.finishDraining(target));
    }
  }

  /** Resolves once the target is no longer registered (draining over), at once if it is not. */
  whenRemoved(id: string, port?: number): Promise<void> {
    return this.targets.get(key(id, port ?? this.description.Port!))?.removed ?? Promise.resolve();
  }

  /** DescribeTargetHealth: every target, or the asked ones (unregistered ones as `unused`). */
  health(asked?: TargetDescription[]): TargetHealthDescription[] {
    const chosen = asked?.length
      ? asked.map((d) => this.targets.get(key(d.Id!, d.Port ?? this.description.Port!)) ?? { id: d.Id!, port: d.Port ?? this.description.Port!, unregistered: true as const })
      : [...this.targets.values()];
    return chosen.map((t) => {
      const healthCheckPort = this.description.HealthCheckPort === 'traffic-port' ? String(t.port) : this.description.HealthCheckPort;
      const base = { Target: { Id: t.id, Port: t.port, ...('availabilityZone' in t && t.availabilityZone ? { AvailabilityZone: t.availabilityZone } : {}) }, HealthCheckPort: healthCheckPort };
      if ('unregistered' in t) return { ...base, TargetHealth: { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' } };
      return { ...base, TargetHealth: this.reportedHealth(t) };
    });
  }

  /** The target for the next request, or none (503). */
  pick(): Target | undefined {
    const live = [...this.targets.values()].filter((t) => t.state !== 'draining');
    const healthy = live.filter((t) => t.state === 'healthy');
    const pool = healthy.length > 0 ? healthy : live;
    if (pool.length === 0) return undefined;
    if (this.attributes.get('load_balancing.algorithm.type') === 'least_outstanding_requests') {
      return pool.reduce((best, t) => (t.inFlight.size < best.inFlight.size ? t : best));
    }
    return pool[this.nextIndex++ % pool.length];
  }

  address(target: Target): { host: string; port: number } | undefined {
    return this.resolveAddress(this.description.TargetType ?? 'instance', target.id, target.port);
  }

  /** Healthy and unhealthy targets, for HealthyHostCount / UnHealthyHostCount. */
  hostCounts(): { healthy: number; unhealthy: number } {
    let healthy = 0;
    let unhealthy = 0;
    for (const t of this.targets.values()) {
      if (t.state === 'healthy') healthy++;
      if (t.state === 'unhealthy') unhealthy++;
    }
    return { healthy, unhealthy };
  }

  /** Deletes the group: every target is gone at once. */
  close(): void {
    for (const target of this.targets.values()) {
      target.cancelChecks?.();
      target.cancelDrain?.();
      target.markRemoved();
    }
    this.targets.clear();
    this.agent.destroy();
  }

  private reportedHealth(t: Target): TargetHealth {
    if (t.state === 'draining') return { State: 'draining', Reason: t.reason, Description: t.description };
    if (!this.inUse) return { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' };
    if (t.state === 'healthy') return { State: 'healthy' };
    return { State: t.state, Reason: t.reason, Description: t.description };
  }

  private startChecks(target: Target): void {
    target.cancelChecks?.();
    target.state = 'initial';
    target.reason = 'Elb.RegistrationInProgress';
    target.description = 'Target registration is in progress';
    target.okStreak = 0;
    target.failStreak = 0;
    const tick = () => {
      const interval = this.description.HealthCheckIntervalSeconds ?? 30;
      target.cancelChecks = this.clock.after(interval, tick);
      void this.check(target);
    };
    // The first check follows registration closely, as on ALB.
    target.cancelChecks = this.clock.afterMs(Math.min(200, this.clock.ms(1)), tick);
  }

  private async check(target: Target): Promise<void> {
    const timeoutMs = Math.max(HEALTH_CHECK_TIMEOUT_FLOOR_MS, this.clock.ms(this.description.HealthCheckTimeoutSeconds ?? 5));
    const result = await probe(this.address(target), this.description.HealthCheckPath ?? '/', timeoutMs, this.matcher);
    if (target.state === 'draining' || this.targets.get(key(target.id, target.port)) !== target || !this.inUse) return;
    const before = target.state;
    if (result.ok) {
      target.okStreak++;
      target.failStreak = 0;
      if (target.state !== 'healthy' && target.okStreak >= (this.description.HealthyThresholdCount ?? 5)) {
        target.state = 'healthy';
        target.reason = undefined;
        target.description = undefined;
      } else if (target.state === 'initial') {
        target.reason = 'Elb.InitialHealthChecking';
        target.description = 'Initial health checks in progress';
      }
    } else {
      target.failStreak++;
      target.okStreak = 0;
      if (target.state === 'unhealthy' || target.failStreak >= (this.description.UnhealthyThresholdCount ?? 2)) {
        target.state = 'unhealthy';
        target.reason = result.reason;
        target.description = result.description;
      } else if (target.state === 'initial') {
        target.reason = 'Elb.InitialHealthChecking';
        target.description = 'Initial health checks in progress';
      }
    }
    if (target.state !== before) this.log('elbv2', 'target-health-changed', { targetGroup: this.name, target: target.id, from: before, to: target.state, reason: target.reason });
  }

  private finishDraining(target: Target): void {
    // The delay is over: requests still in flight are cut, as ALB closes the connections.
    for (const req of target.inFlight) req.destroy(new Error('deregistration delay elapsed'));
    this.targets.delete(key(target.id, target.port));
    target.markRemoved();
    this.log('elbv2', 'target-deregistered', { targetGroup: this.name, target: target.id });
  }
}

function key(id: string, port: number): string {
  return `${id}:${port}`;
}

function newTarget(id: string, port: number, availabilityZone: string | undefined): Target {
  let markRemoved = () => {};
  const removed = new Promise<void>((resolve) => (markRemoved = resolve));
  return { id, port, availabilityZone, state: 'initial', okStreak: 0, failStreak: 0, inFlight: new Set(), removed, markRemoved };
}
