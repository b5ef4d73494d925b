// Where a service stands, rebuilt from what AWS says: the listener (who gets
// traffic) and the tagged releases (what exists). Nothing is remembered.
import { UnexpectedListener } from './errors.ts';
import type { Action, DeploymentState, ListenerView, Release } from './model.ts';
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
