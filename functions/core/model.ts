// The deployment model: plain data, no AWS import. Adapters translate AWS
// answers into these shapes; the plan turns them into desired shapes.

/** One generation of a service: `tg-n` + `asg-n` running one artifact version. */
export interface Release {
  service: string;
  number: number;
  version: string;
  targetGroupArn: string;
  targetGroupName: string;
  autoScalingGroupName: string;
}

export interface ForwardTarget {
  targetGroupArn: string;
  weight: number;
}

/**
 * A forward's TargetGroupStickinessConfig (ELBv2 API reference): a client
 * keeps reaching the target group it first reached for `durationSeconds`
 * (1–604800). Absent: stickiness disabled.
 */
export interface ForwardStickiness {
  durationSeconds: number;
}

export type Action =
  | { type: 'forward'; targets: ForwardTarget[]; stickiness?: ForwardStickiness }
  | { type: 'fixed-response'; statusCode: number; contentType: string; body: string };

/** A listener rule matching one HTTP header (the only condition we manage). */
export interface HeaderRule {
  priority: number;
  header: string;
  values: string[];
  action: Action;
}

/** What the listener looks like now, as read from ELBv2. */
export interface ListenerView {
  listenerArn: string;
  defaultAction: Action;
  /** Every non-default rule of the listener; `managed` ones are header rules we own. */
  rules: LiveRule[];
}

export interface LiveRule extends HeaderRule {
  ruleArn: string;
  /**
   * true only for header rules bluegreen created (tagged `bluegreen:managed-by`);
   * false for every other rule, hand-made ones on our header included: left
   * untouched, counted for quotas, their priorities never taken.
   */
  managed: boolean;
}

/** What the listener should look like: the default action and our header rules. */
export interface DesiredListener {
  defaultAction: Action;
  rules: HeaderRule[];
}

export type ListenerWrite =
  | { kind: 'modify-default'; action: Action }
  | { kind: 'create-rule'; rule: HeaderRule }
  | { kind: 'modify-rule'; ruleArn: string; rule: HeaderRule }
  | { kind: 'delete-rule'; ruleArn: string; priority: number };

/**
 * Where a service stands, derived from the listener and the tagged releases:
 * - `stable`: only `live` takes traffic, nothing else exists;
 * - `provisioned`: a candidate exists but takes no traffic (being brought up, or rolled back);
 * - `canary`: the candidate takes header-routed or weighted traffic, `live` the rest;
 * - `promoted`: the candidate became `live`; `previous` is retained for rollback.
 */
export type Phase = 'stable' | 'provisioned' | 'canary' | 'promoted';

export interface DeploymentState {
  service: string;
  phase: Phase;
  /** The release the default rule (or most of its weight) sends traffic to. */
  live: Release | null;
  /** The newer release being introduced (phase provisioned or canary). */
  candidate: Release | null;
  /** The older release kept warm/standby after a promotion. */
  previous: Release | null;
  /** Share of default traffic on the candidate, 0–100 (weighted canary). */
  canaryWeight: number;
  /** Managed releases older than `previous`, newest first (kept while retention generations allow). */
  older: Release[];
  /** Target group stickiness of the listener's default forward, kept by every write of it. */
  stickiness?: ForwardStickiness;
}

export type Command =
  | { type: 'deploy'; version: string }
  | { type: 'attach' }
  | { type: 'shift' }
  | { type: 'advance' }
  | { type: 'promote' }
  | { type: 'rollback' }
  | { type: 'abort' }
  | { type: 'retire' };

export interface Capacity {
  min: number;
  max: number;
  desired: number;
}

/** Health of one target as ELBv2 reports it. */
export interface TargetHealth {
  id: string;
  port?: number;
  state: 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';
  reason?: string;
}

export const TAG = {
  managedBy: 'bluegreen:managed-by',
  service: 'bluegreen:service',
  release: 'bluegreen:release',
  version: 'bluegreen:version',
} as const;

export const MANAGED_BY = 'bluegreen';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A CloudWatch alarm as read back: its name and state. */
export interface AlarmView {
  name: string;
  state: AlarmState;
  /** Why it is in that state, as CloudWatch words it. */
  reason: string;
}

/** A CloudWatch alarm on one release's target group, as the plan wants it. */
export interface AlarmSpec {
  name: string;
  metricName: 'HTTPCode_Target_5XX_Count' | 'UnHealthyHostCount' | 'TargetResponseTime';
  namespace: 'AWS/ApplicationELB';
  /** `Sum`/`Maximum`, or an extended statistic such as `p99`. */
  statistic: string;
  threshold: number;
  comparison: 'GreaterThanThreshold';
  evaluationPeriods: number;
  periodSeconds: number;
  /** `LoadBalancer` = `app/name/id`, `TargetGroup` = `targetgroup/name/id`. */
  dimensions: { LoadBalancer: string; TargetGroup: string };
  treatMissingData: 'notBreaching';
  tags: Record<string, string>;
}
