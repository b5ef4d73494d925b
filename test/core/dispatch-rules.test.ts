// Which wait a signal may answer, what it is told when there is none, when a
// lock was left behind, and how an execution is named.
import { describe, expect, it } from 'vitest';
import { deploymentEnded, executionName, isStaleLock, noOpenWait, refuseUnexpected, STALE_LOCK_MS, type OpenWait, type SignalIntent } from '../../functions/core/dispatch-rules.ts';

const SHA = 'aaaaaaaaaaaa1111111111111111111111111111';

describe('executionName', () => {
  it.each([
    ['a push', 'web', SHA, '6f1a2b30-c7d4-11f0-8a3e-52b1c4f0a9d1', 'web-aaaaaaaaaaaa-6f1a2b30c7d4'],
    ['a version with characters Step Functions refuses', 'docs', '1.4.2+build.7', 'd-1', 'docs-1-4-2-build--d1'],
    ['a request id with characters Step Functions refuses', 'web', 'v1', 'a.b/c d', 'web-v1-abcd'],
    ['a short version and id', 'web', 'v1', 'abc', 'web-v1-abc'],
    ['the longest service name', 'a'.repeat(23), SHA, 'x'.repeat(40), `${'a'.repeat(23)}-aaaaaaaaaaaa-${'x'.repeat(12)}`],
  ])('names %s with a name Step Functions accepts', (_case, service, version, id, expected) => {
    const name = executionName(service, version, id);
    expect(name).toBe(expected);
    expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });

  it('never passes 80 characters, even for a service name longer than the configuration allows', () => {
    expect(executionName('s'.repeat(90), SHA, 'id')).toBe('s'.repeat(80));
  });
});

describe('isStaleLock', () => {
  const claimedAt = '2026-01-01T00:00:00.000Z';
  const at = Date.parse(claimedAt);

  it.each([
    ['just claimed', 0, false],
    ['a millisecond short of five minutes', STALE_LOCK_MS - 1, false],
    ['exactly five minutes old', STALE_LOCK_MS, true],
    ['an hour old', 3_600_000, true],
  ])('a lock %s is %s', (_case, age, stale) => {
    expect(isStaleLock(claimedAt, at + age)).toBe(stale);
  });

  it('is five minutes', () => {
    expect(STALE_LOCK_MS).toBe(300_000);
  });
});

describe('refuseUnexpected', () => {
  const bake: OpenWait = { kind: 'bake', releaseNumber: 4 };
  const promotion: OpenWait = { kind: 'promotion', releaseNumber: 4 };
  const retention: OpenWait = { kind: 'retention', releaseNumber: 4 };

  it.each<[string, OpenWait, SignalIntent]>([
    ['a promote during a promotion wait', promotion, { action: 'promote' }],
    ['a promote during a bake', bake, { action: 'promote' }],
    ['a rollback during retention', retention, { action: 'rollback' }],
    ['an abort during a bake', bake, { action: 'abort' }],
    ['an alarm rollback of the release waiting in bake', bake, { action: 'rollback', expect: { kinds: ['bake', 'retention'], releaseNumber: 4 } }],
    ['a button of the same release and kind', promotion, { action: 'promote', expect: { kinds: ['promotion'], releaseNumber: 4 } }],
    ['an abort of the execution that waits', { ...bake, executionName: 'web-v4-d4' }, { action: 'abort', expect: { executionName: 'web-v4-d4' } }],
    ['an abort naming an execution, of a wait that names none', bake, { action: 'abort', expect: { executionName: 'web-v3-d3' } }],
    ['an abort naming none, of a wait that names one', { ...bake, executionName: 'web-v4-d4' }, { action: 'abort' }],
  ])('lets through %s', (_case, wait, request) => {
    expect(() => refuseUnexpected('web', wait, request)).not.toThrow();
  });

  it.each<[string, OpenWait, SignalIntent, string, string]>([
    ['a promote once the release is live', retention, { action: 'promote' }, 'NothingToPromote', 'web is waiting in retention of release 4: release 4 is live already; nothing to promote'],
    ['a rollback button of a promotion wait pressed during retention', retention, { action: 'rollback', expect: { kinds: ['promotion'] } }, 'NothingToRollBack', 'web is waiting in retention of release 4, not in promotion; nothing was sent'],
    ['a promote expecting a bake during promotion', promotion, { action: 'promote', expect: { kinds: ['bake'] } }, 'NothingToPromote', 'web is waiting in promotion of release 4, not in bake; nothing was sent'],
    ['a button of an older release', bake, { action: 'rollback', expect: { releaseNumber: 3 } }, 'NothingToRollBack', 'web is waiting in bake of release 4, not of release 3; nothing was sent'],
    ['a button of release 0 when release 4 waits', bake, { action: 'promote', expect: { releaseNumber: 0 } }, 'NothingToPromote', 'web is waiting in bake of release 4, not of release 0; nothing was sent'],
    ['an alarm of another release', bake, { action: 'rollback', expect: { kinds: ['bake', 'retention'], releaseNumber: 5 } }, 'NothingToRollBack', 'not of release 5'],
    ['an abort of an execution that has ended', { ...bake, executionName: 'web-v4-d4' }, { action: 'abort', expect: { executionName: 'web-v3-d3' } }, 'DeploymentEnded', 'web: the deployment you aborted, web-v3-d3, has ended; web-v4-d4 is running now: abort it by name'],
    ['a rollback of an execution that has ended', { ...bake, executionName: 'web-v4-d4' }, { action: 'rollback', expect: { executionName: 'web-v3-d3' } }, 'DeploymentEnded', 'web: the deployment you asked to roll back, web-v3-d3, has ended; web-v4-d4 is running now: roll it back by name'],
    ['a promote of an execution that has ended', { ...bake, executionName: 'web-v4-d4' }, { action: 'promote', expect: { executionName: 'web-v3-d3' } }, 'DeploymentEnded', 'web: the deployment you asked to promote, web-v3-d3, has ended; web-v4-d4 is running now: promote it by name'],
    ['an abort expecting two other kinds', bake, { action: 'abort', expect: { kinds: ['promotion', 'retention'] } }, 'NothingToRollBack', 'not in promotion or retention; nothing was sent'],
  ])('refuses %s', (_case, wait, request, name, message) => {
    const error = caught(() => refuseUnexpected('web', wait, request));
    expect(error?.name).toBe(name);
    expect(error?.message).toContain(message);
  });
});

describe('deploymentEnded', () => {
  it.each([
    ['another deployment running, its version known', 'abort', { executionName: 'web-v4-d4', version: 'v4' }, 'web: the deployment you aborted, web-v3-d3, has ended; web-v4-d4 (version v4) is running now: abort it by name', 'web-v4-d4'],
    ['nothing running', 'rollback', null, 'web: the deployment you asked to roll back, web-v3-d3, has ended; no deployment of web is running now; nothing to roll back', null],
  ] as const)('names what to do with %s', (_case, action, running, message, runningName) => {
    const error = deploymentEnded('web', action, 'web-v3-d3', running);
    expect(error.name).toBe('DeploymentEnded');
    expect(error.message).toBe(message);
    expect(error).toMatchObject({ running: runningName });
  });
});

describe('noOpenWait', () => {
  const active = { executionName: 'web-v2-d2', version: 'v2' };
  const answered = { executionName: 'web-v2-d2', description: 'the bake wait of release 4 was already taken by alarm:x (rollback) at t' };

  it.each([
    ['an abort when nothing runs', 'abort', null, null, 'NotFound', 'web: no deployment is running; nothing to abort'],
    ['a promote when nothing runs', 'promote', null, null, 'NothingToPromote', 'web: nothing to promote: no deployment of web is running'],
    ['a rollback when nothing runs', 'rollback', null, answered, 'NothingToRollBack', 'web: nothing to roll back: no deployment of web is running'],
    ['a rollback after the running deployment\'s wait was answered', 'rollback', active, answered, 'ConcurrentUpdate', `web: ${answered.description}; nothing was sent`],
    ['a promote after the running deployment\'s wait was answered', 'promote', active, answered, 'ConcurrentUpdate', `web: ${answered.description}; nothing was sent`],
    [
      'a promote while the deployment waits for nothing',
      'promote',
      active,
      null,
      'NothingToPromote',
      'web: nothing to promote: deployment web-v2-d2 (version v2) is still working and waits for no answer yet; try again when it waits, or abort it',
    ],
    [
      'a rollback when the answered wait was an earlier deployment\'s',
      'rollback',
      active,
      { ...answered, executionName: 'web-v1-d1' },
      'NothingToRollBack',
      'web: nothing to roll back: deployment web-v2-d2 (version v2) is still working and waits for no answer yet; try again when it waits, or abort it',
    ],
  ] as const)('answers %s', (_case, action, running, last, name, message) => {
    const error = noOpenWait('web', action, running, last);
    expect({ name: error.name, message: error.message }).toEqual({ name, message });
  });
});

function caught(act: () => void): Error | undefined {
  try {
    act();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}
