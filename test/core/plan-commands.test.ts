// Each command's whole plan: the state reached, what is created, restored,
// retained and removed, and the words of each refusal.
import { describe, expect, it } from 'vitest';
import type { Command, DeploymentState } from '../../functions/core/model.ts';
import { plan, type Plan } from '../../functions/core/plan.ts';
import { r1, r2, r3, release, service, state, STRATEGIES } from './fixtures.ts';

const r4 = release(4);
const blueGreen = STRATEGIES['blue-green'];
const weighted = STRATEGIES['weighted-canary'];
const header = STRATEGIES['header-canary'];
const outcome = (p: Plan) => ({ next: p.next, create: p.create, restore: p.restore, retain: p.retain, remove: p.remove });
const nothing = { create: null, restore: [], retain: [], remove: [] };

describe('plan: what each command does', () => {
  it.each<[string, ReturnType<typeof service>, DeploymentState, Command, ReturnType<typeof outcome>]>([
    [
      'the first deploy creates release 1 with the configured defaults',
      blueGreen,
      state({}),
      { type: 'deploy', version: 'v1' },
      { ...nothing, next: state({}), create: { number: 1, version: 'v1', targetGroupName: 'bg-web-1', autoScalingGroupName: 'bg-web-1', copyFrom: null } },
    ],
    [
      'a deploy numbers after the kept releases and copies the live one',
      blueGreen,
      state({ phase: 'promoted', live: r2, previous: r3, older: [r1] }),
      { type: 'deploy', version: 'v9' },
      { ...nothing, next: state({ phase: 'promoted', live: r2, previous: r3, older: [r1] }), create: { number: 4, version: 'v9', targetGroupName: 'bg-web-4', autoScalingGroupName: 'bg-web-4', copyFrom: r2 } },
    ],
    ['attaching changes nothing but the listener', header, state({ phase: 'provisioned', live: r1, candidate: r2 }), { type: 'attach' }, { ...nothing, next: state({ phase: 'provisioned', live: r1, candidate: r2 }) }],
    ['the first release goes live on shift', weighted, state({ phase: 'provisioned', candidate: r1 }), { type: 'shift' }, { ...nothing, next: state({ live: r1 }) }],
    [
      'a blue/green shift promotes and retains the old release as configured',
      service({ type: 'blue-green' }, { retention: { mode: 'standby' } }),
      state({ phase: 'provisioned', live: r1, candidate: r2 }),
      { type: 'shift' },
      { ...nothing, next: state({ phase: 'promoted', live: r2, previous: r1 }), retain: [{ release: r1, mode: 'standby' }] },
    ],
    [
      'a promotion pushes the previous release down the kept ones',
      header,
      state({ phase: 'canary', live: r2, candidate: r3, previous: r1 }),
      { type: 'promote' },
      { ...nothing, next: state({ phase: 'promoted', live: r3, previous: r2, older: [r1] }), retain: [{ release: r2, mode: 'warm' }] },
    ],
    [
      'a header canary shift opens the canary at weight 0',
      header,
      state({ phase: 'provisioned', live: r1, candidate: r2 }),
      { type: 'shift' },
      { ...nothing, next: state({ phase: 'canary', live: r1, candidate: r2 }) },
    ],
    [
      'a weighted shift takes the first step',
      weighted,
      state({ phase: 'provisioned', live: r1, candidate: r2 }),
      { type: 'shift' },
      { ...nothing, next: state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 10 }) },
    ],
    [
      'an advance takes the next step',
      weighted,
      state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 10 }),
      { type: 'advance' },
      { ...nothing, next: state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 50 }) },
    ],
    [
      'an advance from a weight between steps takes the next one above it',
      weighted,
      state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 30 }),
      { type: 'advance' },
      { ...nothing, next: state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 50 }) },
    ],
    [
      'an advance past the last step promotes',
      weighted,
      state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 50 }),
      { type: 'advance' },
      { ...nothing, next: state({ phase: 'promoted', live: r2, previous: r1 }), retain: [{ release: r1, mode: 'warm' }] },
    ],
    [
      'an advance from a weight at or past every step promotes',
      weighted,
      state({ phase: 'canary', live: r1, candidate: r2, canaryWeight: 100 }),
      { type: 'advance' },
      { ...nothing, next: state({ phase: 'promoted', live: r2, previous: r1 }), retain: [{ release: r1, mode: 'warm' }] },
    ],
    [
      'a rollback of a canary removes the candidate and keeps what was kept',
      weighted,
      state({ phase: 'canary', live: r2, candidate: r3, previous: r1, canaryWeight: 10 }),
      { type: 'rollback' },
      { ...nothing, next: state({ phase: 'promoted', live: r2, previous: r1 }), remove: [r3] },
    ],
    [
      'an abort of a release being brought up removes it',
      blueGreen,
      state({ phase: 'provisioned', live: r1, candidate: r2 }),
      { type: 'abort' },
      { ...nothing, next: state({ live: r1 }), remove: [r2] },
    ],
    [
      'an abort of the first release removes it',
      blueGreen,
      state({ phase: 'provisioned', candidate: r1 }),
      { type: 'abort' },
      { ...nothing, next: state({}), remove: [r1] },
    ],
    [
      'a rollback after promotion restores the previous release and removes the live one',
      blueGreen,
      state({ phase: 'promoted', live: r3, previous: r2, older: [r1] }),
      { type: 'rollback' },
      { ...nothing, next: state({ phase: 'promoted', live: r2, previous: r1 }), restore: [r2], remove: [r3] },
    ],
    [
      'a rollback to the last kept release leaves the service stable',
      blueGreen,
      state({ phase: 'promoted', live: r2, previous: r1 }),
      { type: 'rollback' },
      { ...nothing, next: state({ live: r1 }), restore: [r1], remove: [r2] },
    ],
    [
      'a retire keeps the configured generations scaled to zero, deletes the rest',
      service({ type: 'blue-green' }, { retention: { generations: 2 } }),
      state({ phase: 'promoted', live: r4, previous: r3, older: [r2, r1] }),
      { type: 'retire' },
      { ...nothing, next: state({ phase: 'promoted', live: r4, previous: r3, older: [r2] }), retain: [{ release: r3, mode: 'zero' }, { release: r2, mode: 'zero' }], remove: [r1] },
    ],
    [
      'a retire with nothing kept does nothing',
      service({ type: 'blue-green' }, { retention: { generations: 1 } }),
      state({ live: r1 }),
      { type: 'retire' },
      { ...nothing, next: state({ live: r1 }) },
    ],
    [
      'a retire during a deployment leaves its phase alone',
      blueGreen,
      state({ phase: 'provisioned', live: r2, candidate: r3, previous: r1 }),
      { type: 'retire' },
      { ...nothing, next: state({ phase: 'provisioned', live: r2, candidate: r3 }), remove: [r1] },
    ],
  ])('%s', (_case, config, s, command, expected) => {
    expect(outcome(plan(config, s, command))).toEqual(expected);
  });
});

describe('plan: refusals name the service, the release and the phase', () => {
  it.each<[string, ReturnType<typeof service>, DeploymentState, Command, string, string]>([
    ['a deploy during a deployment', blueGreen, state({ phase: 'canary', live: r1, candidate: r2 }), { type: 'deploy', version: 'v3' }, 'DeploymentInProgress', 'web: release 2 (version v2) is already canary; promote, roll back or abort it first'],
    ['a deploy of the live version', blueGreen, state({ live: r1 }), { type: 'deploy', version: 'v1' }, 'VersionAlreadyLive', 'web: version v1 is already live (release 1)'],
    ['an attach with nothing new', blueGreen, state({ live: r1 }), { type: 'attach' }, 'NothingToShift', 'web: no new release to attach (phase stable)'],
    ['an attach during the canary', header, state({ phase: 'canary', live: r1, candidate: r2 }), { type: 'attach' }, 'NothingToShift', 'web: no new release to attach (phase canary)'],
    ['a shift with nothing new', blueGreen, state({ live: r1 }), { type: 'shift' }, 'NothingToShift', 'web: no new release waiting for traffic (phase stable)'],
    ['a shift during the canary', header, state({ phase: 'canary', live: r1, candidate: r2 }), { type: 'shift' }, 'NothingToShift', 'web: no new release waiting for traffic (phase canary)'],
    ['an advance of a header canary', header, state({ phase: 'canary', live: r1, candidate: r2 }), { type: 'advance' }, 'NothingToAdvance', 'web: no weighted canary in progress (phase canary, strategy header-canary)'],
    ['an advance before the canary', weighted, state({ phase: 'provisioned', live: r1, candidate: r2 }), { type: 'advance' }, 'NothingToAdvance', 'web: no weighted canary in progress (phase provisioned, strategy weighted-canary)'],
    ['a promote before the canary', header, state({ phase: 'provisioned', live: r1, candidate: r2 }), { type: 'promote' }, 'NothingToPromote', 'web: nothing to promote (phase provisioned)'],
    ['a promote after promotion', header, state({ phase: 'promoted', live: r2, previous: r1 }), { type: 'promote' }, 'NothingToPromote', 'web: nothing to promote (phase promoted)'],
    ['a rollback of the first release', blueGreen, state({ phase: 'provisioned', candidate: r1 }), { type: 'rollback' }, 'NothingToRollBack', 'web: release 1 is the first release; there is nothing to roll back to (abort removes it)'],
    ['a rollback of a stable service', blueGreen, state({ live: r1 }), { type: 'rollback' }, 'NothingToRollBack', 'web: nothing to roll back to (phase stable, release 1 live)'],
    ['an abort of a stable service', blueGreen, state({ live: r1 }), { type: 'abort' }, 'NothingToAbort', 'web: nothing to abort (phase stable, release 1 live)'],
    ['an abort with nothing deployed', blueGreen, state({}), { type: 'abort' }, 'NothingToAbort', 'web: nothing to abort (phase stable)'],
    ['a rollback with nothing deployed', blueGreen, state({}), { type: 'rollback' }, 'NothingToRollBack', 'web: nothing to roll back to (phase stable)'],
  ])('%s', (_case, config, s, command, name, message) => {
    const act = () => plan(config, s, command);
    expect(act).toThrow(expect.objectContaining({ name, message }) as Error);
  });
});
