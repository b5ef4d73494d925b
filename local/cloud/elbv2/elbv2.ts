// Elastic Load Balancing v2 of the local cloud: the Query API (version
// 2015-12-01) and the data plane behind it, plus the calls Auto Scaling makes
// internally (register an instance, deregister it and wait for draining).
import type { Subnet } from '@aws-sdk/client-ec2';
import type { QueryService } from '../api-server.ts';
import type { Clock } from '../clock.ts';
import { ListenerProxy, type RequestOutcome } from '../data-plane/listener-proxy.ts';
import type { Log } from '../log.ts';
import { operationTable } from '../protocol/operation.ts';
import type { Realism } from '../realism.ts';
import { limitOperations } from './limits.ts';
import { listenerOperations } from './listeners.ts';
import { loadBalancerOperations } from './load-balancers.ts';
import { ruleOperations } from './rules.ts';
import { Elbv2State } from './state.ts';
import type { TargetAddressResolver, TargetGroupRuntime } from './target-group.ts';
import { targetGroupOperations } from './target-groups.ts';
import { tagOperations } from './tags.ts';

export interface Elbv2Deps {
  region: string;
  host: string;
  clock: Clock;
  log: Log;
  random: () => number;
  subnet: (subnetId: string) => Subnet | undefined;
  vpcExists: (vpcId: string) => boolean;
  instanceRegistrable: (instanceId: string) => boolean;
  resolveAddress: TargetAddressResolver;
  recordRequest: (outcome: RequestOutcome) => void;
  realism: Pick<Realism, 'targetGroupRelease'>;
}

/** Healthy/unhealthy target counts of a target group behind a load balancer. */
export interface HostCountSample {
  loadBalancer: string;
  targetGroup: string;
  healthy: number;
  unhealthy: number;
}

export class Elbv2 {
  readonly state: Elbv2State;
  private readonly deps: Elbv2Deps;

  constructor(deps: Elbv2Deps) {
    this.deps = deps;
    this.state = new Elbv2State(deps.region);
  }

  endpoint(): QueryService {
    return {
      name: 'elasticloadbalancing',
      protocol: 'query',
      version: '2015-12-01',
      dialect: { xmlNamespace: 'http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/', ec2: false },
      operations: operationTable([
        ...loadBalancerOperations(this.state, { log: this.deps.log, subnet: this.deps.subnet }),
        ...listenerOperations(this.state, { log: this.deps.log, startProxy: (arn, lbArn) => this.startProxy(arn, lbArn) }),
        ...ruleOperations(this.state, this.deps.log),
        ...targetGroupOperations(this.state, {
          clock: this.deps.clock,
          log: this.deps.log,
          resolveAddress: this.deps.resolveAddress,
          vpcExists: this.deps.vpcExists,
          instanceRegistrable: this.deps.instanceRegistrable,
          release: this.deps.realism.targetGroupRelease,
        }),
        ...tagOperations(this.state),
        ...limitOperations(),
      ]),
    };
  }

  /** `http://127.0.0.1:<port>` of a listener's data plane. */
  listenerUrl(listenerArn: string): string {
    const proxy = this.state.listeners.get(listenerArn)?.proxy;
    if (!proxy) throw new Error(`no listener ${listenerArn} in the local cloud`);
    return proxy.url;
  }

  targetGroup(arn: string): TargetGroupRuntime | undefined {
    return this.state.targetGroups.get(arn);
  }

  /** Host counts of every target group in use, per load balancer using it. */
  hostCounts(): HostCountSample[] {
    return [...this.state.targetGroups.values()].flatMap((tg) => {
      const counts = tg.hostCounts();
      return tg.usedBy.map((lbArn) => ({ loadBalancer: this.state.loadBalancers.get(lbArn)!.dimension, targetGroup: tg.dimension, ...counts }));
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.state.listeners.values()].flatMap((listener) => (listener.proxy ? [listener.proxy.close()] : [])));
    for (const tg of this.state.targetGroups.values()) tg.close();
  }

  private startProxy(listenerArn: string, loadBalancerArn: string): Promise<ListenerProxy> {
    const lb = this.state.loadBalancers.get(loadBalancerArn)!;
    return ListenerProxy.start(this.deps.host, {
      listener: () => this.state.listeners.get(listenerArn),
      targetGroup: (arn) => this.state.targetGroups.get(arn),
      idleTimeoutMs: () => this.deps.clock.ms(Number(lb.attributes.get('idle_timeout.timeout_seconds') ?? 60)),
      loadBalancerDimension: lb.dimension,
      record: this.deps.recordRequest,
      random: this.deps.random,
    });
  }
}
