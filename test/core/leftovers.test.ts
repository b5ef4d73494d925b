// What an execution created and left behind: nothing of a release retention
// does not keep, and no header rule once no release is left.
import { describe, expect, it } from 'vitest';
import { desiredListener, forward } from '../../functions/core/listener.ts';
import { leftBehind, type Inventory } from '../../functions/core/leftovers.ts';
import type { DeploymentState, Release } from '../../functions/core/model.ts';
import { r1, r2, r3, STRATEGIES, state, viewOf } from './fixtures.ts';

const header = STRATEGIES['header-canary'].strategy;
const everything = (releases: Release[], listenerOf: DeploymentState, extra: Partial<Inventory> = {}): Inventory => ({
  listener: viewOf(desiredListener(header, listenerOf)),
  releases,
  targetGroups: releases.map((r) => r.targetGroupName),
  autoScalingGroups: releases.map((r) => r.autoScalingGroupName),
  alarms: releases.flatMap((r) => [`bg-web-${r.number}-5xx`, `bg-web-${r.number}-latency`]),
  ...extra,
});

describe('leftBehind', () => {
  it.each([
    { case: 'a release promoted and live', inventory: everything([r1, r2], state({ phase: 'promoted', live: r2, previous: r1 })) },
    { case: 'a release retained after a later one', inventory: everything([r1, r2], state({ phase: 'promoted', live: r2, previous: r1 })), release: 1 },
    { case: 'an older generation kept scaled to zero, off the listener', inventory: everything([r1, r2, r3], state({ phase: 'promoted', live: r3, previous: r2 })), release: 1 },
    { case: 'a first release still attached (its header rules stay while it exists)', inventory: everything([r1], state({ phase: 'provisioned', candidate: r1 })), release: 1 },
    { case: 'a release removed entirely', inventory: everything([r1], state({ live: r1 })) },
    { case: 'another service’s alarms with names that start the same', inventory: everything([r1], state({ live: r1 }), { alarms: ['bg-web-2-1-5xx'] }) },
  ])('nothing for $case', ({ inventory, release }) => {
    expect(leftBehind('web', header, release ?? 2, inventory)).toEqual([]);
  });

  it('names every resource of a release that lost, still there', () => {
    const inventory = everything([r1, r2], state({ live: r1 }));
    expect(leftBehind('web', header, 2, inventory)).toEqual(['target group bg-web-2', 'Auto Scaling group bg-web-2', 'alarm bg-web-2-5xx', 'alarm bg-web-2-latency']);
  });

  it('names what is left of a release whose target group is already gone', () => {
    const inventory = everything([r1], state({ live: r1 }), { autoScalingGroups: ['bg-web-1', 'bg-web-2'], alarms: ['bg-web-1-5xx', 'bg-web-2-5xx'] });
    expect(leftBehind('web', header, 2, inventory)).toEqual(['Auto Scaling group bg-web-2', 'alarm bg-web-2-5xx']);
  });

  it('keeps a release something on the listener still routes to (a rule made by hand)', () => {
    const inventory = everything([r1, r2], state({ live: r1 }));
    inventory.listener.rules.push({ ruleArn: 'by-hand', priority: 500, header: '', values: [], action: forward([r2.targetGroupArn, 1]), managed: false });
    expect(leftBehind('web', header, 2, inventory)).toEqual([]);
  });

  it('names the header rules left once no release is left (an aborted first release)', () => {
    // The rules an aborted first release used to leave: green and blue → 404, default → 503.
    const rules = desiredListener(header, state({ phase: 'provisioned', candidate: r1 })).rules;
    const inventory = everything([], state({}), { listener: viewOf({ defaultAction: desiredListener(header, state({})).defaultAction, rules }) });
    expect(leftBehind('web', header, 1, inventory)).toEqual(['rule 10 (x-client-mode: green)', 'rule 11 (x-client-mode: blue)']);
    expect(leftBehind('web', header, 1, everything([], state({})))).toEqual([]);
  });
});
