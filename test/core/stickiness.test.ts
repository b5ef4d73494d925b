// Target group stickiness on the listener's default forward is the user's:
// every write of the default action keeps it, and the diff sees it.
import { describe, expect, it } from 'vitest';
import { assertNoDrift, diffListener } from '../../functions/core/diff.ts';
import { DriftDetected } from '../../functions/core/errors.ts';
import { forward, headerOf } from '../../functions/core/listener.ts';
import type { Action, Command, ListenerView } from '../../functions/core/model.ts';
import { plan } from '../../functions/core/plan.ts';
import { deriveState } from '../../functions/core/state.ts';
import { LISTENER_ARN, STRATEGIES, r1, r2 } from './fixtures.ts';

const STICKY = { durationSeconds: 300 };
const sticky = (action: Action): Action => ({ ...action, stickiness: STICKY }) as Action;
const listener = (defaultAction: Action): ListenerView => ({ listenerArn: LISTENER_ARN, defaultAction, rules: [] });

describe('stickiness of the default forward', () => {
  it.each(Object.entries(STRATEGIES))('%s: every planned default forward keeps it, from the first attach to the rollback', (_name, service) => {
    // Prepare: release 1 live behind a sticky forward, release 2 provisioned.
    const header = headerOf(service.strategy);
    let live = listener(sticky(forward([r1.targetGroupArn, 1])));
    const commands: Command[] = [{ type: 'attach' }, { type: 'shift' }, { type: 'promote' }, { type: 'rollback' }];
    const defaults: Action[] = [];

    // Act: each step plans from the listener the previous one wrote.
    for (const command of commands) {
      let p;
      try {
        p = plan(service, deriveState('web', live, [r1, r2], header), command);
      } catch {
        continue; // promote after a blue/green shift: nothing to promote
      }
      defaults.push(p.listener.defaultAction);
      live = { ...live, defaultAction: p.listener.defaultAction };
    }

    // Assess
    expect(defaults.length).toBeGreaterThanOrEqual(3);
    for (const action of defaults) expect(action).toMatchObject({ type: 'forward', stickiness: STICKY });
  });

  it('writes the default action when only its stickiness differs, and nothing when it matches', () => {
    const desired = { defaultAction: sticky(forward([r1.targetGroupArn, 90], [r2.targetGroupArn, 10])), rules: [] };

    expect(diffListener(listener(forward([r1.targetGroupArn, 90], [r2.targetGroupArn, 10])), desired, 'x-client-mode')).toEqual([{ kind: 'modify-default', action: desired.defaultAction }]);
    expect(diffListener(listener({ ...desired.defaultAction, stickiness: { durationSeconds: 60 } } as Action), desired, 'x-client-mode')).toHaveLength(1);
    expect(diffListener(listener(desired.defaultAction), desired, 'x-client-mode')).toEqual([]);
  });

  it('sees stickiness changed by hand during a deployment as drift', () => {
    const expected = { defaultAction: forward([r1.targetGroupArn, 1], [r2.targetGroupArn, 0]), rules: [] };
    const target = { defaultAction: forward([r1.targetGroupArn, 90], [r2.targetGroupArn, 10]), rules: [] };

    expect(() => assertNoDrift(listener(sticky(expected.defaultAction)), expected, target, 'x-client-mode')).toThrow(DriftDetected);
  });
});
