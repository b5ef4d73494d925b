// What compensation does after a failure, decided from the listener as it is
// now, the listener this execution last wrote and verified, and the releases
// that exist. Pure: the Compensate step reads AWS, calls this, applies it.
//
// - A listener changed by hand is never rewritten: each of its owned parts
//   must be as this execution last wrote it, as the step that failed was
//   writing it, or as compensation itself writes it. Otherwise it is left as
//   it is, and only what nothing routes to is removed.
// - A listener a step left half-way (a task that died between two writes) is
//   brought back to a shape the plan produces: traffic on the last good
//   release, or, when the interrupted step was taking traffic off this
//   execution's release (a rollback), that step finished.
// - Otherwise, as before: a release taking canary traffic or none is taken
//   off the listener and deleted; a release that serves is left serving.
import type { ServiceConfig } from './config.ts';
import { driftFrom, matches } from './diff.ts';
import { headerOf, referencedTargetGroups } from './listener.ts';
import type { Command, DesiredListener, ListenerView, Release } from './model.ts';
import { plan, type Plan } from './plan.ts';
import { deriveState, planningView } from './state.ts';

export interface Compensation {
  /** The listener to write; null: leave it as it is. */
  listener: DesiredListener | null;
  /** Listeners whose parts the live one may mix without being drift: the write's own check. */
  accepted: DesiredListener[];
  /** This execution's release, deleted after the write; null: kept (it serves, something routes to it, or it never existed). */
  remove: Release | null;
  /** What was changed by hand (empty: nothing); when set, the listener is left as it is. */
  drift: string[];
}

/** The commands of the steps that write the listener: the step that failed was one of them. */
const WRITERS: Command[] = [{ type: 'attach' }, { type: 'shift' }, { type: 'advance' }, { type: 'promote' }, { type: 'rollback' }, { type: 'abort' }, { type: 'retire' }];

/**
 * @param expected the listener this execution last wrote and verified (Prepare's reading to begin with)
 * @param releases the service's releases that exist now
 * @param number the number of the release this execution creates
 */
export function planCompensation(service: ServiceConfig, live: ListenerView, expected: DesiredListener, releases: Release[], number: number): Compensation {
  const header = headerOf(service.strategy);
  const mine = releases.find((r) => r.number === number) ?? null;
  const lastWritten = deriveState(service.name, planningView(live, expected), releases, header);
  const steps = WRITERS.flatMap((command) => attempt(service, lastWritten, command));
  const abort = steps.find((p) => p.command.type === 'abort') ?? null;
  const base = abort ? [expected, abort.listener] : [expected];

  // Each part as it was, as compensation writes it, or as one interrupted step wanted it.
  const interrupted = [null, ...steps].find((step) => driftFrom(live, step ? [...base, step.listener] : base, header).length === 0);
  if (interrupted === undefined) {
    const free = mine && !referencedTargetGroups(live).has(mine.targetGroupArn);
    return { listener: null, accepted: [], remove: free ? mine : null, drift: driftFrom(live, base, header) };
  }
  const accepted = interrupted ? [...base, interrupted.listener] : base;
  const keep = (listener: DesiredListener | null): Compensation => ({ listener, accepted, remove: null, drift: [] });
  const takeOff = (listener: DesiredListener | null): Compensation => ({ listener, accepted, remove: mine, drift: [] });
  if (!mine) return keep(null);
  const routesToMine = (l: ListenerView) => referencedTargetGroups(l).has(mine.targetGroupArn);
  const wouldRouteToMine = (l: DesiredListener) =>
    [l.defaultAction, ...l.rules.map((r) => r.action)].some((a) => a.type === 'forward' && a.targets.some((t) => t.targetGroupArn === mine.targetGroupArn));

  const settled = [expected, ...steps.map((p) => p.listener)].some((shape) => matches(live, shape, header));
  if (settled) {
    if (!routesToMine(live)) return takeOff(null); // never attached, or already off the listener
    const now = deriveState(service.name, live, releases, header);
    if (now.candidate?.number === number) return takeOff(plan(service, now, { type: 'abort' }).listener);
    return keep(null); // promoted: a later failure is no reason to roll back a release that serves
  }

  // Half-way.
  if (lastWritten.candidate?.number === number && abort) return takeOff(abort.listener);
  const finish = interrupted ?? abort;
  if (lastWritten.live?.number === number && finish && ['rollback', 'abort', 'retire'].includes(finish.command.type)) {
    return wouldRouteToMine(finish.listener) ? keep(finish.listener) : takeOff(finish.listener);
  }
  return keep(expected);
}

function attempt(service: ServiceConfig, state: Parameters<typeof plan>[1], command: Command): Plan[] {
  try {
    return [plan(service, state, command)];
  } catch {
    return []; // not a step that could have run from here
  }
}
