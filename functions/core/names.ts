// Names of everything a release owns, derived from service and release
// number alone, so state can be rebuilt from AWS without a lookup table.
import { MANAGED_BY, TAG } from './model.ts';

export const RESOURCE_PREFIX = 'bg';

export function targetGroupName(service: string, release: number): string {
  return `${RESOURCE_PREFIX}-${service}-${release}`; // <= 32 characters: service names are <= 23
}

export function autoScalingGroupName(service: string, release: number): string {
  return `${RESOURCE_PREFIX}-${service}-${release}`;
}

/** What each alarm of a release watches; the last part of its name. */
export const ALARM_KINDS = ['5xx', 'unhealthy', 'latency'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

export function alarmName(service: string, release: number, kind: AlarmKind): string {
  return `${alarmPrefix(service, release)}${kind}`;
}

/**
 * The start of every alarm name of a release, for listing. Service names may
 * contain dashes and digits, so it also starts names of other services
 * (`bg-shop-2-` starts `bg-shop-2-1-5xx`, release 1 of `shop-2`): keep only
 * the names `isAlarmOf` accepts.
 */
export function alarmPrefix(service: string, release: number): string {
  return `${RESOURCE_PREFIX}-${service}-${release}-`;
}

/** True when `name` is one of the alarms of release `release` of `service`, and of no other. */
export function isAlarmOf(name: string, service: string, release: number): boolean {
  return ALARM_KINDS.some((kind) => name === alarmName(service, release, kind));
}

/**
 * Parses an alarm name `bg-<service>-<n>-<kind>` back into its parts. The
 * kind is one of a closed set and the release all digits, so the split is
 * unambiguous: `bg-shop-2-1-5xx` is release 1 of `shop-2`, never release 2 of `shop`.
 */
export function parseAlarmName(name: string): { service: string; release: number; kind: AlarmKind } | null {
  const m = /^bg-([a-z][a-z0-9-]*)-(\d+)-([a-z0-9]+)$/.exec(name);
  const kind = ALARM_KINDS.find((k) => k === m?.[3]);
  return m && kind ? { service: m[1]!, release: Number(m[2]), kind } : null;
}

export function releaseTags(service: string, release: number, version: string): Record<string, string> {
  return { [TAG.managedBy]: MANAGED_BY, [TAG.service]: service, [TAG.release]: String(release), [TAG.version]: version };
}
