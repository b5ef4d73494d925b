// What an execution created that is still there once it ended, beyond what
// retention keeps. An execution creates one release (target group, Auto
// Scaling group, alarms; the header rules when it is the first); retention
// keeps a release that serves or is retained for a rollback, and nothing of
// one that lost. Pure: the account is read by the caller.
import type { StrategyConfig } from './config.ts';
import { headerOf, ownedRules, referencedTargetGroups } from './listener.ts';
import type { ListenerView, Release } from './model.ts';
import { autoScalingGroupName, isAlarmOf, targetGroupName } from './names.ts';
import { deriveState } from './state.ts';

/** What exists in the account, by name, as Describe calls list it. */
export interface Inventory {
  listener: ListenerView;
  /** The service's releases, read from their target groups' tags. */
  releases: Release[];
  targetGroups: string[];
  autoScalingGroups: string[];
  alarms: string[];
}

/**
 * The resources of release `number` of `service` still in `inventory` although
 * retention does not keep it, and the header rules when no release is left to
 * route to. A release is kept while it is live, the retained previous one, an
 * older generation kept scaled to zero, or while something on the listener
 * still routes to it (a rule made by hand: it is never deleted from under it).
 */
export function leftBehind(service: string, strategy: StrategyConfig, number: number, inventory: Inventory): string[] {
  const header = headerOf(strategy);
  const state = deriveState(service, inventory.listener, inventory.releases, header);
  const kept = [state.live, state.previous, ...state.older].some((r) => r?.number === number);
  const release = inventory.releases.find((r) => r.number === number);
  const routed = release !== undefined && referencedTargetGroups(inventory.listener).has(release.targetGroupArn);
  const left: string[] = [];
  if (!kept && !routed) {
    const names = [targetGroupName(service, number), autoScalingGroupName(service, number)];
    left.push(...inventory.targetGroups.filter((n) => n === names[0]).map((n) => `target group ${n}`));
    left.push(...inventory.autoScalingGroups.filter((n) => n === names[1]).map((n) => `Auto Scaling group ${n}`));
    left.push(...inventory.alarms.filter((n) => isAlarmOf(n, service, number)).map((n) => `alarm ${n}`));
  }
  if (!state.live && !state.candidate && state.older.length === 0 && !state.previous) {
    left.push(...ownedRules(inventory.listener, header).map((r) => `rule ${r.priority} (${r.header}: ${r.values.join(',')})`));
  }
  return left;
}
