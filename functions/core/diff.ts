// Desired vs live → the fewest listener writes, in a traffic-safe order:
// the default action first (most traffic moves soonest, a rollback is one
// write), then rules changed in place, then new rules, then deletions.
import { DriftDetected } from './errors.ts';
import type { Action, DesiredListener, HeaderRule, ListenerView, ListenerWrite } from './model.ts';
import { ownedRules, ownedView } from './listener.ts';

export function diffListener(live: ListenerView, desired: DesiredListener, header: string): ListenerWrite[] {
  const writes: ListenerWrite[] = [];
  if (!sameAction(live.defaultAction, desired.defaultAction)) writes.push({ kind: 'modify-default', action: desired.defaultAction });

  const owned = ownedRules(live, header);
  const byPriority = new Map(owned.map((r) => [r.priority, r]));
  const creates: ListenerWrite[] = [];
  for (const rule of desired.rules) {
    const current = byPriority.get(rule.priority);
    if (!current) creates.push({ kind: 'create-rule', rule });
    else if (!sameRule(current, rule)) writes.push({ kind: 'modify-rule', ruleArn: current.ruleArn, rule });
  }
  const wanted = new Set(desired.rules.map((r) => r.priority));
  const deletes: ListenerWrite[] = owned
    .filter((r) => !wanted.has(r.priority))
    .map((r) => ({ kind: 'delete-rule', ruleArn: r.ruleArn, priority: r.priority }));
  return [...writes, ...creates, ...deletes];
}

/** True when the live listener's owned part is exactly the desired one. */
export function matches(live: ListenerView, desired: DesiredListener, header: string): boolean {
  return diffListener(live, desired, header).length === 0;
}

/**
 * Throws DriftDetected when an owned part of the listener (the default
 * action, or one of our rules) is neither what this deployment last wrote
 * nor what it is about to write: someone changed it by hand, and we stop
 * rather than overwrite it. Accepting the target too makes a step that died
 * between two writes safe to run again.
 */
export function assertNoDrift(live: ListenerView, expected: DesiredListener, target: DesiredListener, header: string): void {
  const seen = ownedView(live, header);
  const problems: string[] = [];
  if (!sameAction(seen.defaultAction, expected.defaultAction) && !sameAction(seen.defaultAction, target.defaultAction)) {
    problems.push(`default is ${describeAction(seen.defaultAction)}, expected ${describeAction(expected.defaultAction)}`);
  }
  const priorities = new Set([...seen.rules, ...expected.rules, ...target.rules].map((r) => r.priority));
  const at = (l: DesiredListener, p: number) => l.rules.find((r) => r.priority === p);
  for (const p of [...priorities].sort((a, b) => a - b)) {
    const now = at(seen, p);
    const ok = (want: HeaderRule | undefined) => (now && want ? sameRule(now, want) : now === want);
    if (!ok(at(expected, p)) && !ok(at(target, p))) {
      problems.push(`rule ${p} is ${now ? describeRule(now) : 'missing'}, expected ${at(expected, p) ? describeRule(at(expected, p)!) : 'none'}`);
    }
  }
  if (problems.length > 0) {
    throw new DriftDetected(`listener ${live.listenerArn} changed outside this deployment: ${problems.join('; ')}. Stopping instead of overwriting it.`);
  }
}

export function sameAction(a: Action, b: Action): boolean {
  if (a.type === 'fixed-response' || b.type === 'fixed-response') {
    return a.type === 'fixed-response' && b.type === 'fixed-response' && a.statusCode === b.statusCode && a.body === b.body && a.contentType === b.contentType;
  }
  const norm = (x: Action & { type: 'forward' }) => {
    // A forward to one group is the same whatever its weight, unless the weight is 0 (attached, no traffic).
    const targets = x.targets.length === 1 && x.targets[0]!.weight > 0 ? [{ ...x.targets[0]!, weight: 1 }] : x.targets;
    return new Map(targets.map((t) => [t.targetGroupArn, t.weight]));
  };
  const ma = norm(a);
  const mb = norm(b);
  return ma.size === mb.size && [...ma].every(([arn, w]) => mb.get(arn) === w) && a.stickiness?.durationSeconds === b.stickiness?.durationSeconds;
}

function sameRule(a: HeaderRule, b: HeaderRule): boolean {
  return (
    a.header.toLowerCase() === b.header.toLowerCase() &&
    a.values.length === b.values.length &&
    a.values.every((v, i) => v === b.values[i]) &&
    sameAction(a.action, b.action)
  );
}

/** `bg-web-1`, `bg-web-1:90 + bg-web-2:10`, `bg-web-1 (bg-web-2 attached)`, `bg-web-1 (sticky 300 s)`, `fixed 404`. */
export function describeAction(a: Action): string {
  if (a.type === 'fixed-response') return `fixed ${a.statusCode}`;
  const serving = a.targets.filter((t) => t.weight > 0);
  const attached = a.targets.filter((t) => t.weight === 0).map((t) => shortName(t.targetGroupArn));
  const traffic = serving.map((t) => `${shortName(t.targetGroupArn)}${serving.length > 1 ? `:${t.weight}` : ''}`).join(' + ') || 'no traffic';
  const sticky = a.stickiness ? `, sticky ${a.stickiness.durationSeconds} s` : '';
  return attached.length > 0 ? `${traffic} (${attached.join(', ')} attached${sticky})` : sticky ? `${traffic} (${sticky.slice(2)})` : traffic;
}

function describeRule(r: HeaderRule): string {
  return `${r.header}: ${r.values.join(',')} → ${describeAction(r.action)}`;
}

export function describeWrite(w: ListenerWrite): string {
  switch (w.kind) {
    case 'modify-default':
      return `default → ${describeAction(w.action)}`;
    case 'create-rule':
    case 'modify-rule':
      return `${w.kind === 'create-rule' ? 'add' : 'set'} rule ${w.rule.priority} (${w.rule.header}: ${w.rule.values.join(',')}) → ${describeAction(w.rule.action)}`;
    case 'delete-rule':
      return `delete rule ${w.priority}`;
  }
}

/** `arn:…:targetgroup/bg-web-3/abc` → `bg-web-3`. */
export function shortName(targetGroupArn: string): string {
  return /targetgroup\/([^/]+)/.exec(targetGroupArn)?.[1] ?? targetGroupArn;
}
