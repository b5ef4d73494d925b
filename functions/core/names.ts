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

export function alarmPrefix(service: string, release: number): string {
  return `${RESOURCE_PREFIX}-${service}-${release}-`;
}

/** Parses `bg-<service>-<n>` (target group, Auto Scaling group, or alarm prefix) back into its parts. */
export function parseResourceName(name: string): { service: string; release: number } | null {
  const m = /^bg-([a-z][a-z0-9-]*)-(\d+)(?:-[a-z0-9]+)?$/.exec(name);
  return m ? { service: m[1]!, release: Number(m[2]) } : null;
}

export function releaseTags(service: string, release: number, version: string): Record<string, string> {
  return { [TAG.managedBy]: MANAGED_BY, [TAG.service]: service, [TAG.release]: String(release), [TAG.version]: version };
}
