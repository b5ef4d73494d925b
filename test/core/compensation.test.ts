// Compensation never rewrites a listener changed by hand: it leaves it as it
// is, names the change, and removes only what nothing routes to. It never
// writes a listener the execution did not touch.
import { describe, expect, it } from 'vitest';
import { planCompensation } from '../../functions/core/compensation.ts';
import { desiredListener, forward } from '../../functions/core/listener.ts';
import { r1, r2, STRATEGIES, state, viewOf } from './fixtures.ts';

describe('compensation with a listener changed by hand', () => {
  const config = STRATEGIES['header-canary'];
  const attached = desiredListener(config.strategy, state({ phase: 'provisioned', live: r1, candidate: r2 }));
  const elsewhere = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/fleet-by-hand/0000000000000009';

  it('leaves the listener as it is, names the change, and removes the new release when nothing routes to it', () => {
    const byHand = viewOf({ ...attached, defaultAction: forward([elsewhere, 1]) });
    const decision = planCompensation(config, byHand, attached, [r1, r2], 2);
    expect(decision).toEqual({ listener: null, accepted: [], remove: r2, drift: ['default is fleet-by-hand, expected bg-web-1 (bg-web-2 attached)'] });
  });

  it('keeps the new release when the hand change routes to it', () => {
    const byHand = viewOf({ ...attached, defaultAction: forward([r2.targetGroupArn, 1]), rules: attached.rules.slice(1) });
    const decision = planCompensation(config, byHand, attached, [r1, r2], 2);
    expect(decision.listener).toBeNull();
    expect(decision.remove).toBeNull();
    expect(decision.drift).toEqual(['default is bg-web-2, expected bg-web-1 (bg-web-2 attached)', 'rule 10 is missing, expected x-client-mode: green → fixed 404']);
  });

  it('never writes a listener the execution did not touch (failed before attaching)', () => {
    const stable = desiredListener(config.strategy, state({ live: r1 }));
    expect(planCompensation(config, viewOf(stable), stable, [r1, r2], 2)).toMatchObject({ listener: null, remove: r2, drift: [] });
  });

  it('writes and removes nothing when the release never came to exist (its target group was not created)', () => {
    const stable = desiredListener(config.strategy, state({ live: r1 }));
    expect(planCompensation(config, viewOf(stable), stable, [r1], 2)).toEqual({ listener: null, accepted: [stable], remove: null, drift: [] });
  });

  it('leaves a promoted release serving when the listener is settled', () => {
    const promoted = desiredListener(config.strategy, state({ phase: 'promoted', live: r2, previous: r1 }));
    expect(planCompensation(config, viewOf(promoted), promoted, [r1, r2], 2)).toMatchObject({ listener: null, remove: null, drift: [] });
  });
});
