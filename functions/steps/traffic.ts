// Moving traffic, shared by every step that changes the listener:
// read → derive → plan → drift check → diff → limits → write only what
// changed → read back and verify.
import type { ServiceConfig } from '../core/config.ts';
import { assertNoDrift, describeWrite, diffListener, matches } from '../core/diff.ts';
import { VerificationFailed } from '../core/errors.ts';
import { headerOf } from '../core/listener.ts';
import type { Command, DesiredListener, ListenerView, ListenerWrite, Release } from '../core/model.ts';
import { plan, type Plan } from '../core/plan.ts';
import { checkLimits, checkPriorities } from '../core/quotas.ts';
import { deriveState, planningView } from '../core/state.ts';
import type { ServiceAdapters } from './deps.ts';
import { required, type WorkflowState } from './workflow-state.ts';

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
 * Applies a plan's listener. `listener` is the live listener already read for
 * the plan; `expected` is what this execution last wrote: every write is
 * checked against it for drift.
 */
export async function applyListener(
  service: ServiceConfig,
  aws: ServiceAdapters,
  listener: ListenerView,
  p: Plan,
  expected: WorkflowState['expected'],
): Promise<TrafficMove> {
  const { after, writes, changes } = await writeListener(service, aws, listener, p.listener, [required(expected, 'expected'), p.listener]);
  return { plan: p, after, writes, changes };
}

/**
 * The one way to write the listener: drift check (each owned part must be one
 * of `accepted`, the listener this execution last wrote first), priorities,
 * limits, only the writes that change something, read back and verified.
 */
export async function writeListener(
  service: ServiceConfig,
  aws: ServiceAdapters,
  listener: ListenerView,
  desired: DesiredListener,
  accepted: DesiredListener[],
): Promise<Omit<TrafficMove, 'plan'>> {
  const header = headerOf(service.strategy);
  assertNoDrift(listener, accepted[0]!, accepted.slice(1), header);
  checkPriorities(desired, listener, header);
  const writes = diffListener(listener, desired, header);
  const creates = writes.some((w) => w.kind === 'create-rule');
  checkLimits(desired, writes, creates ? await aws.router.countRules(service.listener.loadBalancerArn) : 0);
  let after = listener;
  if (writes.length > 0) {
    await aws.router.applyWrites(service.listener.listenerArn, writes);
    after = await aws.router.readListener(service.listener.listenerArn);
    if (!matches(after, desired, header)) {
      throw new VerificationFailed(`listener ${service.listener.listenerArn} did not read back as written: ${diffListener(after, desired, header).map(describeWrite).join('; ')}`);
    }
  }
  return { after, writes, changes: writes.map(describeWrite) };
}

/** read → plan → apply, for the steps that need nothing between reading and writing. */
export async function moveTraffic(service: ServiceConfig, aws: ServiceAdapters, state: WorkflowState, command: Command): Promise<TrafficMove> {
  const listener = await aws.router.readListener(service.listener.listenerArn);
  return applyListener(service, aws, listener, planFor(service, planningView(listener, state.expected), knownReleases(state), command), state.expected);
}
