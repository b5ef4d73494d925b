// Attributes of load balancers and target groups: the known keys, their
// defaults and valid values. Modify calls validate every change first, then
// apply them all (a bad one changes nothing). Only the idle timeout, the
// deregistration delay and the algorithm change behaviour here; the others
// are kept and answered.
import type { LoadBalancerAttribute, TargetGroupAttribute } from '@aws-sdk/client-elastic-load-balancing-v2';
import { validationError } from '../aws-error.ts';

type AttributeSpecs = Record<string, { default: string; check: (value: string) => boolean }>;

const integerIn = (min: number, max: number) => (v: string) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const oneOf = (...values: string[]) => (v: string) => values.includes(v);
const flag = oneOf('true', 'false');

export const LOAD_BALANCER_ATTRIBUTES: AttributeSpecs = {
  'idle_timeout.timeout_seconds': { default: '60', check: integerIn(1, 4000) },
  'deletion_protection.enabled': { default: 'false', check: flag },
  'routing.http2.enabled': { default: 'true', check: flag },
  'routing.http.drop_invalid_header_fields.enabled': { default: 'false', check: flag },
  'routing.http.xff_header_processing.mode': { default: 'append', check: oneOf('append', 'preserve', 'remove') },
  'access_logs.s3.enabled': { default: 'false', check: flag },
  'client_keep_alive.seconds': { default: '3600', check: integerIn(60, 604_800) },
};

export const TARGET_GROUP_ATTRIBUTES: AttributeSpecs = {
  'deregistration_delay.timeout_seconds': { default: '300', check: integerIn(0, 3600) },
  'stickiness.enabled': { default: 'false', check: flag },
  'stickiness.type': { default: 'lb_cookie', check: oneOf('lb_cookie', 'app_cookie') },
  'stickiness.lb_cookie.duration_seconds': { default: '86400', check: integerIn(1, 604_800) },
  // Unset by default; AWS refuses the empty value back.
  'stickiness.app_cookie.cookie_name': { default: '', check: (v) => v.length >= 1 && v.length <= 1024 },
  'stickiness.app_cookie.duration_seconds': { default: '86400', check: integerIn(1, 604_800) },
  'slow_start.duration_seconds': { default: '0', check: (v) => v === '0' || integerIn(30, 900)(v) },
  'load_balancing.algorithm.type': { default: 'round_robin', check: oneOf('round_robin', 'least_outstanding_requests', 'weighted_random') },
  'load_balancing.algorithm.anomaly_mitigation': { default: 'off', check: oneOf('on', 'off') },
  'load_balancing.cross_zone.enabled': { default: 'use_load_balancer_configuration', check: oneOf('true', 'false', 'use_load_balancer_configuration') },
  'target_group_health.dns_failover.minimum_healthy_targets.count': { default: '1', check: (v) => v === 'off' || integerIn(1, 1000)(v) },
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': { default: 'off', check: (v) => v === 'off' || integerIn(1, 100)(v) },
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': { default: '1', check: integerIn(1, 1000) },
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': { default: 'off', check: (v) => v === 'off' || integerIn(1, 100)(v) },
};

export function defaultAttributes(specs: AttributeSpecs): Map<string, string> {
  return new Map(Object.entries(specs).map(([key, spec]) => [key, spec.default]));
}

/** `what` names the resource kind in errors: `Load balancer`, `Target group`. */
export function applyAttributes(specs: AttributeSpecs, current: Map<string, string>, changes: (LoadBalancerAttribute | TargetGroupAttribute)[], what: string): void {
  for (const { Key, Value } of changes) {
    const spec = Key ? specs[Key] : undefined;
    if (!spec) throw validationError(`${what} attribute key '${Key ?? ''}' is not recognized`);
    if (Value === undefined || !spec.check(Value)) throw validationError(`${what} attribute '${Key}' has an invalid value '${Value ?? ''}'`);
  }
  for (const { Key, Value } of changes) current.set(Key!, Value!);
}

export function attributeList(attributes: Map<string, string>): { Key: string; Value: string }[] {
  return [...attributes].map(([Key, Value]) => ({ Key, Value }));
}
