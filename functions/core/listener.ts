// The desired listener for a strategy and a state. The header-canary tables
// of the seed design are the contract:
//
//   phase                 default   x-client-mode: blue   x-client-mode: green
//   no release at all     503       (no rule)             (no rule)
//   stable / provisioned  tg-n      tg-n                  404
//   canary                tg-n      tg-n                  tg-(n+1)
//   promoted              tg-(n+1)  tg-(n+1)              404
//   rolled back           tg-n      tg-n                  404
import type { StrategyConfig } from './config.ts';
import type { Action, DeploymentState, DesiredListener, ForwardStickiness, ListenerView, LiveRule } from './model.ts';

const DEFAULT_HEADER = 'x-client-mode';

/** Answer for a header that names no release (green with nothing to test, or no release at all). */
export const NOT_FOUND: Action = { type: 'fixed-response', statusCode: 404, contentType: 'text/plain', body: 'no release for this client mode' };
/** Default action before the first release takes traffic. */
export const NO_RELEASE: Action = { type: 'fixed-response', statusCode: 503, contentType: 'text/plain', body: 'no release yet' };

export function forward(...targets: Array<[targetGroupArn: string, weight: number]>): Action {
  return { type: 'forward', targets: targets.map(([targetGroupArn, weight]) => ({ targetGroupArn, weight })) };
}

export function headerOf(strategy: StrategyConfig): string {
  return strategy.type === 'header-canary' ? strategy.header : DEFAULT_HEADER;
}

/** Rules this system owns on the listener: the header rules it created (tagged), on the strategy's header. Others are never touched. */
export function ownedRules(listener: ListenerView, header: string): LiveRule[] {
  const name = header.toLowerCase();
  return listener.rules.filter((r) => r.managed && r.header.toLowerCase() === name);
}

export function desiredListener(
  strategy: StrategyConfig,
  state: Pick<DeploymentState, 'phase' | 'live' | 'candidate' | 'previous' | 'canaryWeight' | 'stickiness'>,
): DesiredListener {
  const { live, candidate, phase } = state;
  const liveOnly = live ? forward([live.targetGroupArn, 1]) : NOT_FOUND;
  const weight = strategy.type === 'weighted-canary' && phase === 'canary' && live && candidate ? state.canaryWeight : 0;
  const defaultAction = withStickiness(defaultForward(state, weight), state.stickiness);

  // No release at all: no rule to route to one (an aborted first release leaves none behind).
  if (strategy.type !== 'header-canary' || (!live && !candidate)) return { defaultAction, rules: [] };
  const green = phase === 'canary' && candidate ? forward([candidate.targetGroupArn, 1]) : NOT_FOUND;
  return {
    defaultAction,
    rules: [
      { priority: strategy.priority, header: strategy.header, values: ['green'], action: green },
      { priority: strategy.priority + 1, header: strategy.header, values: ['blue'], action: liveOnly },
    ],
  };
}

/**
 * The default action: the live release takes the traffic (less the canary
 * weight). The candidate and the retained previous release stay attached at
 * weight 0: an ALB health-checks only target groups a listener references, so
 * this is what lets the health gate see the candidate, and what keeps the
 * previous release's health known, so a rollback is one write.
 */
function defaultForward(state: Pick<DeploymentState, 'live' | 'candidate' | 'previous'>, canaryWeight: number): Action {
  const { live, candidate, previous } = state;
  const targets: Array<[string, number]> = [];
  if (live) targets.push([live.targetGroupArn, 100 - canaryWeight]);
  if (candidate) targets.push([candidate.targetGroupArn, canaryWeight]);
  if (previous && live) targets.push([previous.targetGroupArn, 0]);
  if (targets.length === 0) return NO_RELEASE;
  return targets.length === 1 && targets[0]![1] > 0 ? forward([targets[0]![0], 1]) : forward(...targets);
}

/** The user's stickiness on the default forward survives every write of it (a fixed response has none). */
function withStickiness(action: Action, stickiness: ForwardStickiness | undefined): Action {
  return action.type === 'forward' && stickiness ? { ...action, stickiness } : action;
}

/** The part of a live listener this system owns, in the desired shape, for comparison. */
export function ownedView(listener: ListenerView, header: string): DesiredListener {
  return {
    defaultAction: listener.defaultAction,
    rules: ownedRules(listener, header).map(({ priority, header: h, values, action }) => ({ priority, header: h, values, action })),
  };
}

/** Every target group an action sends traffic to (weight > 0); attached groups at weight 0 take none. */
export function targetsOf(action: Action): string[] {
  return action.type === 'forward' ? action.targets.filter((t) => t.weight > 0).map((t) => t.targetGroupArn) : [];
}

/** Every target group a listener, read or desired, references at all (any weight): these must not be deleted. */
export function referencedTargetGroups(listener: { defaultAction: Action; rules: ReadonlyArray<{ action: Action }> }): Set<string> {
  const actions = [listener.defaultAction, ...listener.rules.map((r) => r.action)];
  return new Set(actions.flatMap((a) => (a.type === 'forward' ? a.targets.map((t) => t.targetGroupArn) : [])));
}
