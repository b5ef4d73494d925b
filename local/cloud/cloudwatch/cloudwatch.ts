// CloudWatch of the local cloud: AWS JSON 1.0 (awsQueryCompatible), target
// GraniteServiceVersion20100801; metrics and alarms.
//
// "CloudWatch metrics for your Application Load Balancer": Elastic Load
// Balancing "measures and sends its metrics in 60-second intervals", so
// AWS/ApplicationELB metrics have one datapoint a minute (standard
// resolution), visible once sent; the delay is the realism setting.
import type { JsonService } from '../api-server.ts';
import type { Clock } from '../clock.ts';
import type { EventBus } from '../event-bus.ts';
import type { Log } from '../log.ts';
import { operationTable } from '../protocol/operation.ts';
import type { Realism } from '../realism.ts';
import { ALB_NAMESPACE } from './alb-metrics.ts';
import { Alarms } from './alarms.ts';
import { MetricStore, type Publication } from './metric-store.ts';
import { metricOperations } from './metrics.ts';

export class CloudWatch {
  readonly metrics: MetricStore;
  readonly alarms: Alarms;
  private readonly clock: Clock;

  constructor(region: string, clock: Clock, events: EventBus, log: Log, albMetrics: Realism['albMetrics']) {
    this.clock = clock;
    const bucketMs = Math.min(1000, Math.max(10, clock.ms(1)));
    const alb: Publication | undefined = albMetrics ? { resolutionMs: clock.ms(60), delayMs: clock.ms(albMetrics.delaySeconds) } : undefined;
    this.metrics = new MetricStore(bucketMs, Math.max(10 * 60_000, clock.ms(3 * 3600)), (namespace) => (namespace === ALB_NAMESPACE ? alb : undefined));
    this.alarms = new Alarms({ region, clock, metrics: this.metrics, events, log });
  }

  endpoint(): JsonService {
    return {
      name: 'cloudwatch',
      protocol: 'json',
      target: 'GraniteServiceVersion20100801',
      namespace: 'com.amazonaws.cloudwatch',
      operations: operationTable([...this.alarms.operations(), ...metricOperations(this.metrics, this.clock)]),
    };
  }

  stop(): void {
    this.alarms.stop();
  }
}
