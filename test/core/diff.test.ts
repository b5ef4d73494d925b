// Desired vs live listener: which writes, in which order; when two actions
// route the same; how a hand-made change is detected and described.
import { describe, expect, it } from 'vitest';
import { assertNoDrift, describeAction, describeWrite, diffListener, matches, sameAction, shortName } from '../../functions/core/diff.ts';
import { forward, NOT_FOUND } from '../../functions/core/listener.ts';
import type { Action, DesiredListener, HeaderRule, ListenerView, LiveRule } from '../../functions/core/model.ts';
import { LISTENER_ARN, r1, r2, r3 } from './fixtures.ts';

const H = 'x-client-mode';
const rule = (priority: number, values: string[], action: Action, header = H): HeaderRule => ({ priority, header, values, action });
const live = (defaultAction: Action, rules: Array<HeaderRule & { managed?: boolean }> = []): ListenerView => ({
  listenerArn: LISTENER_ARN,
  defaultAction,
  rules: rules.map((r): LiveRule => ({ ...r, ruleArn: `rule-${r.priority}`, managed: r.managed ?? true })),
});
const fixed = (statusCode: number, body = 'no release for this client mode', contentType = 'text/plain'): Action => ({ type: 'fixed-response', statusCode, body, contentType });
const tg = (n: number) => [r1, r2, r3][n - 1]!.targetGroupArn;

describe('sameAction', () => {
  it.each<[string, Action, Action, boolean]>([
    ['the same fixed response', fixed(404), fixed(404), true],
    ['another status', fixed(404), fixed(503), false],
    ['another body', fixed(404), fixed(404, 'gone'), false],
    ['another content type', fixed(404), fixed(404, 'no release for this client mode', 'application/json'), false],
    ['a fixed response and a forward', fixed(404), forward([tg(1), 1]), false],
    ['a forward and a fixed response', forward([tg(1), 1]), fixed(404), false],
    ['one group at any positive weight', forward([tg(1), 1]), forward([tg(1), 999]), true],
    ['one group attached at 0 and the same group serving', forward([tg(1), 0]), forward([tg(1), 1]), false],
    ['one group attached at 0, twice', forward([tg(1), 0]), forward([tg(1), 0]), true],
    ['two groups, same weights, another order', forward([tg(1), 90], [tg(2), 10]), forward([tg(2), 10], [tg(1), 90]), true],
    ['two groups, other weights', forward([tg(1), 90], [tg(2), 10]), forward([tg(1), 50], [tg(2), 50]), false],
    ['weights that only scale', forward([tg(1), 9], [tg(2), 1]), forward([tg(1), 90], [tg(2), 10]), false],
    ['another group', forward([tg(1), 1]), forward([tg(2), 1]), false],
    ['a group attached besides', forward([tg(1), 1]), forward([tg(1), 100], [tg(2), 0]), false],
    ['one group fewer', forward([tg(1), 100], [tg(2), 0]), forward([tg(1), 1]), false],
    ['the same groups, one swapped for another', forward([tg(1), 100], [tg(2), 0]), forward([tg(1), 100], [tg(3), 0]), false],
  ])('%s → %s', (_case, a, b, same) => {
    expect(sameAction(a, b)).toBe(same);
  });
});

describe('diffListener', () => {
  const green = (n: number | null, priority = 10) => rule(priority, ['green'], n ? forward([tg(n), 1]) : NOT_FOUND);
  const blue = (n: number, priority = 11) => rule(priority, ['blue'], forward([tg(n), 1]));
  const desired = (defaultAction: Action, rules: HeaderRule[] = []): DesiredListener => ({ defaultAction, rules });

  it('writes nothing when the owned part matches', () => {
    const view = live(forward([tg(1), 1]), [green(null), blue(1)]);
    expect(diffListener(view, desired(forward([tg(1), 1]), [green(null), blue(1)]), H)).toEqual([]);
    expect(matches(view, desired(forward([tg(1), 1]), [green(null), blue(1)]), H)).toBe(true);
  });

  it('changes the default action alone when only it differs', () => {
    const view = live(forward([tg(1), 1]));
    expect(diffListener(view, desired(forward([tg(2), 1])), H)).toEqual([{ kind: 'modify-default', action: forward([tg(2), 1]) }]);
    expect(matches(view, desired(forward([tg(2), 1])), H)).toBe(false);
  });

  it('writes the default first, then changed rules, then new ones, then deletions', () => {
    const view = live(forward([tg(1), 1]), [green(2), rule(12, ['blue'], forward([tg(1), 1])), rule(13, ['old'], NOT_FOUND)]);
    const target = desired(forward([tg(2), 1]), [blue(2, 11), green(null)]);
    expect(diffListener(view, target, H)).toEqual([
      { kind: 'modify-default', action: forward([tg(2), 1]) },
      { kind: 'modify-rule', ruleArn: 'rule-10', rule: green(null) },
      { kind: 'create-rule', rule: blue(2, 11) },
      { kind: 'delete-rule', ruleArn: 'rule-12', priority: 12 },
      { kind: 'delete-rule', ruleArn: 'rule-13', priority: 13 },
    ]);
  });

  it.each<[string, HeaderRule]>([
    ['another value', rule(10, ['blue'], NOT_FOUND)],
    ['the values in another order', rule(10, ['b', 'a'], NOT_FOUND)],
    ['one value more', rule(10, ['a', 'b', 'c'], NOT_FOUND)],
    ['one value fewer', rule(10, ['a'], NOT_FOUND)],
    ['another action', rule(10, ['a', 'b'], forward([tg(1), 1]))],
  ])('rewrites a rule with %s in place', (_case, current) => {
    const wanted = rule(10, ['a', 'b'], NOT_FOUND);
    expect(diffListener(live(NOT_FOUND, [current]), desired(NOT_FOUND, [wanted]), H)).toEqual([{ kind: 'modify-rule', ruleArn: 'rule-10', rule: wanted }]);
  });

  it('rewrites a rule to the header the desired rule names', () => {
    const wanted = rule(10, ['green'], NOT_FOUND, 'x-canary');
    expect(diffListener(live(NOT_FOUND, [rule(10, ['green'], NOT_FOUND)]), desired(NOT_FOUND, [wanted]), H)).toEqual([{ kind: 'modify-rule', ruleArn: 'rule-10', rule: wanted }]);
  });

  it('compares header names without regard to case, as the ALB does', () => {
    const view = live(NOT_FOUND, [rule(10, ['green'], NOT_FOUND, 'X-Client-Mode')]);
    expect(diffListener(view, desired(NOT_FOUND, [rule(10, ['green'], NOT_FOUND)]), 'x-client-mode')).toEqual([]);
    expect(diffListener(view, desired(NOT_FOUND, [rule(10, ['green'], NOT_FOUND, 'X-CLIENT-MODE')]), 'X-Client-MODE')).toEqual([]);
  });

  it('never writes to a rule it does not own: another header, or conditions it does not manage', () => {
    const view = live(NOT_FOUND, [rule(5, ['1'], NOT_FOUND, 'x-debug'), { ...rule(6, [], forward([tg(3), 1]), ''), managed: false }, rule(10, ['green'], NOT_FOUND, H.toUpperCase())]);
    expect(diffListener(view, desired(NOT_FOUND), H)).toEqual([{ kind: 'delete-rule', ruleArn: 'rule-10', priority: 10 }]);
  });

  it('does not take a rule of its header but with unmanaged conditions for its own', () => {
    const view = live(NOT_FOUND, [{ ...rule(10, ['green'], NOT_FOUND), managed: false }]);
    expect(diffListener(view, desired(NOT_FOUND, [rule(10, ['green'], NOT_FOUND)]), H)).toEqual([{ kind: 'create-rule', rule: rule(10, ['green'], NOT_FOUND) }]);
  });
});

describe('assertNoDrift', () => {
  const stable: DesiredListener = { defaultAction: forward([tg(1), 1]), rules: [rule(9, ['green'], NOT_FOUND), rule(10, ['blue'], forward([tg(1), 1]))] };
  const canary: DesiredListener = { defaultAction: forward([tg(1), 100], [tg(2), 0]), rules: [rule(9, ['green'], forward([tg(2), 1])), rule(10, ['blue'], forward([tg(1), 1]))] };
  const drift = (view: ListenerView): string | null => {
    try {
      assertNoDrift(view, stable, canary, H);
      return null;
    } catch (error) {
      expect((error as Error).name).toBe('DriftDetected');
      return (error as Error).message;
    }
  };
  const message = (problems: string) => `listener ${LISTENER_ARN} changed outside this deployment: ${problems}. Stopping instead of overwriting it.`;

  it.each([
    ['what it last wrote', live(stable.defaultAction, stable.rules)],
    ['what it is about to write', live(canary.defaultAction, canary.rules)],
    ['the default written, the rules not yet', live(canary.defaultAction, stable.rules)],
    ['one rule written, the other not yet', live(stable.defaultAction, [canary.rules[0]!, stable.rules[1]!])],
    ['rules it does not own changed', live(stable.defaultAction, [...stable.rules, rule(3, ['1'], NOT_FOUND, 'x-debug')])],
  ])('accepts %s', (_case, view) => {
    expect(drift(view)).toBeNull();
  });

  it.each([
    ['a default changed by hand', live(forward([tg(3), 1]), stable.rules), 'default is bg-web-3, expected bg-web-1'],
    ['a default set to a fixed response', live(fixed(503), stable.rules), 'default is fixed 503, expected bg-web-1'],
    ['a rule deleted by hand', live(stable.defaultAction, [stable.rules[1]!]), 'rule 9 is missing, expected x-client-mode: green → fixed 404'],
    ['a rule added by hand on its header', live(stable.defaultAction, [...stable.rules, rule(12, ['red', 'pink'], forward([tg(3), 1]))]), 'rule 12 is x-client-mode: red,pink → bg-web-3, expected none'],
    ['a rule pointed elsewhere', live(stable.defaultAction, [stable.rules[0]!, rule(10, ['blue'], forward([tg(3), 1]))]), 'rule 10 is x-client-mode: blue → bg-web-3, expected x-client-mode: blue → bg-web-1'],
    [
      'several changes, in priority order',
      live(forward([tg(3), 1]), [rule(10, ['blue'], NOT_FOUND)]),
      'default is bg-web-3, expected bg-web-1; rule 9 is missing, expected x-client-mode: green → fixed 404; rule 10 is x-client-mode: blue → fixed 404, expected x-client-mode: blue → bg-web-1',
    ],
  ])('stops at %s, naming it', (_case, view, problems) => {
    expect(drift(view)).toBe(message(problems));
  });
});

describe('descriptions', () => {
  it.each<[string, Action, string]>([
    ['a fixed response', fixed(404), 'fixed 404'],
    ['one group', forward([tg(1), 1]), 'bg-web-1'],
    ['a weighted pair', forward([tg(1), 90], [tg(2), 10]), 'bg-web-1:90 + bg-web-2:10'],
    ['one group with another attached', forward([tg(1), 100], [tg(2), 0]), 'bg-web-1 (bg-web-2 attached)'],
    ['a pair with a third attached', forward([tg(1), 50], [tg(2), 50], [tg(3), 0]), 'bg-web-1:50 + bg-web-2:50 (bg-web-3 attached)'],
    ['groups attached only', forward([tg(1), 0], [tg(2), 0]), 'no traffic (bg-web-1, bg-web-2 attached)'],
    ['a forward to nothing', forward(), 'no traffic'],
  ])('describes %s as "%s"', (_case, action, text) => {
    expect(describeAction(action)).toBe(text);
  });

  it.each([
    [{ kind: 'modify-default', action: forward([tg(2), 1]) }, 'default → bg-web-2'],
    [{ kind: 'create-rule', rule: rule(10, ['green'], forward([tg(2), 1])) }, 'add rule 10 (x-client-mode: green) → bg-web-2'],
    [{ kind: 'modify-rule', ruleArn: 'rule-11', rule: rule(11, ['blue', 'b'], NOT_FOUND) }, 'set rule 11 (x-client-mode: blue,b) → fixed 404'],
    [{ kind: 'delete-rule', ruleArn: 'rule-12', priority: 12 }, 'delete rule 12'],
  ] as const)('describes a write: %j', (write, text) => {
    expect(describeWrite(write)).toBe(text);
  });

  it.each([
    ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/bg-web-3/abc', 'bg-web-3'],
    ['arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/legacy', 'legacy'],
    ['not-an-arn', 'not-an-arn'],
  ])('shortens %s to %s', (arn, name) => {
    expect(shortName(arn)).toBe(name);
  });
});
