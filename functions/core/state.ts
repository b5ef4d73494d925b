// Where a service stands, rebuilt from what AWS says: the listener (who gets
// traffic) and the tagged releases (what exists). Nothing is remembered.
import { DeploymentInProgress, UnexpectedListener } from './errors.ts';
import type { Action, DeploymentState, DesiredListener, ListenerView, Release } from './model.ts';
import { ownedRules } from './listener.ts';

export function deriveState(service: string, listener: ListenerView, releases: Release[], header: string): DeploymentState {
  const byArn = new Map(releases.map((r) => [r.targetGroupArn, r]));
  const sorted = [...releases].sort((a, b) => b.number - a.number); // newest first

  const { live, canary: weightedCanary, canaryWeight } = readDefault(listener.defaultAction, byArn);
  const green = ownedRules(listener, header).find((r) => r.values.includes('green'));
  const greenTarget = green?.action.type === 'forward' && green.action.targets.length === 1 ? byArn.get(green.action.targets[0]!.targetGroupArn) : undefined;
  const headerCanary = greenTarget && greenTarget !== live ? greenTarget : undefined;

  if (weightedCanary && headerCanary && weightedCanary !== headerCanary) {
    throw new UnexpectedListener(`listener ${listener.listenerArn} sends canary traffic to two releases (${weightedCanary.targetGroupName}, ${headerCanary.targetGroupName})`);
  }
  const trafficCandidate = weightedCanary ?? headerCanary ?? null;
  const newer = sorted.filter((r) => !live || r.number > live.number);
  const candidate = trafficCandidate ?? newer[0] ?? null;
  const older = live ? sorted.filter((r) => r.number < live.number) : [];

  let phase: DeploymentState['phase'];
  if (trafficCandidate) phase = 'canary';
  else if (candidate) phase = 'provisioned';
  else if (older.length > 0) phase = 'promoted';
  else phase = 'stable';

  return {
    service,
    phase,
    live,
    candidate,
    previous: older[0] ?? null,
    canaryWeight: trafficCandidate ? (weightedCanary ? canaryWeight : 0) : 0,
    older: older.slice(1),
    ...(listener.defaultAction.type === 'forward' && listener.defaultAction.stickiness ? { stickiness: listener.defaultAction.stickiness } : {}),
  };
}

/**
 * Where a service stands for a new deployment. The deployment holds the
 * service's lock, so no other execution runs: a newer release was left by
 * one that ended (a DriftDetected stop keeps the release the listener was
 * changed to route to). Taking no traffic, it is a leftover, which the new
 * deployment takes off the listener with its first write and then removes.
 * Taking canary traffic, it is refused: moving users off it is a person's
 * decision.
 */
export function standingForDeploy(state: DeploymentState): { state: DeploymentState; leftover: Release | null } {
  const { candidate, live } = state;
  if (!candidate) return { state, leftover: null };
  if (state.phase === 'canary') {
    const to = live ? `release ${live.number}` : 'a release';
    throw new DeploymentInProgress(
      `${state.service}: release ${candidate.number} (version ${candidate.version}) takes canary traffic and no deployment drives it (the one that did has ended): send that traffic back to ${to} by hand (the default action, the green header rule to 404), then deploy again`,
    );
  }
  return { state: { ...state, candidate: null, phase: state.previous ? 'promoted' : 'stable' }, leftover: candidate };
}

/** The default action: a single managed target is live; a weighted pair is live + canary. */
function readDefault(action: Action, byArn: Map<string, Release>): { live: Release | null; canary: Release | null; canaryWeight: number } {
  if (action.type !== 'forward') return { live: null, canary: null, canaryWeight: 0 };
  const weighted = action.targets.filter((t) => t.weight > 0);
  const managed = weighted.map((t) => ({ release: byArn.get(t.targetGroupArn), weight: t.weight }));
  if (managed.some((m) => !m.release)) return { live: null, canary: null, canaryWeight: 0 }; // an unmanaged group serves: not ours to interpret
  if (managed.length === 1) return { live: managed[0]!.release!, canary: null, canaryWeight: 0 };
  if (managed.length === 2) {
    const [a, b] = managed.sort((x, y) => x.release!.number - y.release!.number) as [(typeof managed)[0], (typeof managed)[0]];
    const total = a.weight + b.weight;
    return { live: a.release!, canary: b.release!, canaryWeight: Math.round((100 * b.weight) / total) };
  }
  return { live: null, canary: null, canaryWeight: 0 };
}

/**
 * The listener a step plans from: the one this execution last wrote, when it
 * knows it. A step that died between two writes left the listener half-way (a
 * half-written promotion reads as promoted: "nothing to promote"); planned
 * from the last written listener, the step run again makes the same plan, the
 * drift check accepts the half-way listener, and the diff writes the rest.
 */
export function planningView(live: ListenerView, expected: DesiredListener | undefined): ListenerView {
  if (!expected) return live;
  const written = expected.rules.map((rule) => ({ ...rule, ruleArn: '', managed: true }));
  return { listenerArn: live.listenerArn, defaultAction: expected.defaultAction, rules: [...live.rules.filter((r) => !r.managed), ...written] };
}
