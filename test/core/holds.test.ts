// What the workflow waits for after each phase, for how long, and what it does
// when the wait ends without a signal.
import { describe, expect, it } from 'vitest';
import { holdAfter, type Hold } from '../../functions/core/holds.ts';
import type { Phase } from '../../functions/core/model.ts';
import { service } from './fixtures.ts';

const manual = { type: 'header-canary', promotion: 'manual', promotionTimeoutMinutes: 90 };
const automatic = { type: 'header-canary', promotion: 'automatic' };
const weighted = { type: 'weighted-canary', steps: [10, 100] };
const blueGreen = { type: 'blue-green' };

describe('holdAfter', () => {
  it.each<[string, unknown, Record<string, unknown>, Phase, Hold]>([
    ['a manual header canary waits for promotion, then rolls back', manual, {}, 'canary', { kind: 'promotion', seconds: 5400, onTimeout: 'rollback' }],
    ['a manual header canary waits a day by default', { type: 'header-canary' }, {}, 'canary', { kind: 'promotion', seconds: 86_400, onTimeout: 'rollback' }],
    ['an automatic header canary bakes, then promotes', automatic, { bake: { seconds: 120 } }, 'canary', { kind: 'bake', seconds: 120, onTimeout: 'promote' }],
    ['a weighted canary bakes each step, then advances', weighted, { bake: { seconds: 45 } }, 'canary', { kind: 'bake', seconds: 45, onTimeout: 'advance' }],
    ['a bake of 0 s still waits 1 s (Step Functions needs at least 1)', weighted, { bake: { seconds: 0 } }, 'canary', { kind: 'bake', seconds: 1, onTimeout: 'advance' }],
    ['a promoted release keeps the old one for the retention window', blueGreen, { bake: { seconds: 300 }, retention: { minutes: 60 } }, 'promoted', { kind: 'retention', seconds: 3600, onTimeout: 'retire' }],
    ['retention lasts at least the bake, alarms armed', manual, { bake: { seconds: 900 }, retention: { minutes: 5 } }, 'promoted', { kind: 'retention', seconds: 900, onTimeout: 'retire' }],
    ['no retention and no bake still waits 1 s', weighted, { bake: { seconds: 0 }, retention: { minutes: 0 } }, 'promoted', { kind: 'retention', seconds: 1, onTimeout: 'retire' }],
    ['a stable service waits for nothing', manual, {}, 'stable', { kind: 'none', seconds: 1, onTimeout: 'retire' }],
    ['a provisioned release waits for nothing', weighted, {}, 'provisioned', { kind: 'none', seconds: 1, onTimeout: 'retire' }],
  ])('%s', (_case, strategy, extra, phase, hold) => {
    expect(holdAfter(service(strategy, extra), phase)).toEqual(hold);
  });
});
