// Moving traffic, shared by every step that changes the listener:
// read → derive → plan → drift check → diff → limits → write only what
// changed → read back and verify.
import type { ServiceConfig } from '../core/config.ts';
import { assertNoDrift, describeWrite, diffListener, matches } from '../core/diff.ts';
import { VerificationFailed } from '../core/errors.ts';
import { headerOf } from '../core/listener.ts';
import type { Command, ListenerView, ListenerWrite, Release } from '../core/model.ts';
import { plan, type Plan } from '../core/plan.ts';
import { checkLimits, checkPriorities } from '../core/quotas.ts';
import { deriveState } from '../core/state.ts';
import type { ServiceAdapters } from './deps.ts';
import type { WorkflowState } from './workflow-state.ts';

export interface TrafficMove {
  plan: Plan;
  /** The listener once the writes are applied (as read back). */
  after: ListenerView;
  writes: ListenerWrite[];
  /** Human-readable writes, for history and logs. */
  changes: string[];
}

/** The releases this execution knows: those that existed when it started, and the one it created. */
export function knownReleases(state: WorkflowState): Release[] {
  const known = [...(state.releases ?? []), ...(state.base ? [state.base] : [])].filter((r) => r.number !== state.release?.number);
  const unique = new Map(known.map((r) => [r.number, r]));
  if (state.release) unique.set(state.release.number, state.release);
  return [...unique.values()];
}

export function planFor(service: ServiceConfig, listener: ListenerView, releases: Release[], command: Command): Plan {
  return plan(service, deriveState(service.name, listener, releases, headerOf(service.strategy)), command);
}

/**
 * The listener a step plans from: the one this execution last wrote, when it
 * knows it. A step that died between two writes left the listener half-way (a
 * half-written promotion reads as promoted: "nothing to promote"); planned
 * from the last written listener, the step run again makes the same plan, the
 * drift check accepts the half-way listener, and the diff writes the rest.
 */
export function planningView(live: ListenerView, expected: WorkflowState['expected']): ListenerView {
  if (!expected) return live;
  const written = expected.rules.map((rule) => ({ ...rule, ruleArn: '', managed: true }));
  return { listenerArn: live.listenerArn, defaultAction: expected.defaultAction, rules: [...live.rules.filter((r) => !r.managed), ...written] };
}

/**
 * Applies a plan's listener. `listener` is the live listener already read for
 * the plan; `expected` is what this execution last wrote (null: no check).
 */
export async function applyListener(
  service: ServiceConfig,
  aws: ServiceAdapters,
  listener: ListenerView,
  p: Plan,
  expected: WorkflowState['expected'],
): Promise<TrafficMove> {
  const header = headerOf(service.strategy);
  if (expected) assertNoDrift(listener, expected, p.listener, header);
  checkPriorities(p.listener, listener, header);
  const writes = diffListener(listener, p.listener, header);
  const creates = writes.some((w) => w.kind === 'create-rule');
  checkLimits(p.listener, writes, creates ? await aws.router.countRules(service.listener.loadBalancerArn) : 0);
  let after = listener;
  if (writes.length > 0) {
    await aws.router.applyWrites(service.listener.listenerArn, writes);
    after = await aws.router.readListener(service.listener.listenerArn);
    if (!matches(after, p.listener, header)) {
      throw new VerificationFailed(`listener ${service.listener.listenerArn} did not read back as written: ${diffListener(after, p.listener, header).map(describeWrite).join('; ')}`);
    }
  }
  return { plan: p, after, writes, changes: writes.map(describeWrite) };
}

/** read → plan → apply, for the steps that need nothing between reading and writing. */
export async function moveTraffic(service: ServiceConfig, aws: ServiceAdapters, state: WorkflowState, command: Command): Promise<TrafficMove> {
  const listener = await aws.router.readListener(service.listener.listenerArn);
  return applyListener(service, aws, listener, planFor(service, planningView(listener, state.expected), knownReleases(state), command), state.expected);
}
