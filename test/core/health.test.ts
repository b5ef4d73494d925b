// The health gate: ready only when every desired target reports healthy
// itself (the ALB fails open), and a deadline that names each target's state.
import { describe, expect, it } from 'vitest';
import { assertWithinDeadline, healthVerdict } from '../../functions/core/health.ts';
import type { TargetHealth } from '../../functions/core/model.ts';

const t = (id: string, state: TargetHealth['state'], reason?: string): TargetHealth => ({ id, state, ...(reason ? { reason } : {}) });

describe('healthVerdict', () => {
  it.each<[string, TargetHealth[], number, boolean, string]>([
    ['every desired target healthy', [t('i-a', 'healthy'), t('i-b', 'healthy')], 2, true, '2/2 healthy'],
    ['more healthy targets than desired', [t('i-a', 'healthy'), t('i-b', 'healthy'), t('i-c', 'healthy')], 2, true, '3/2 healthy'],
    ['enough healthy targets, one draining', [t('i-a', 'healthy'), t('i-b', 'draining')], 1, true, '1/1 healthy; i-b: draining'],
    ['one still initial', [t('i-a', 'healthy'), t('i-b', 'initial', 'Elb.RegistrationInProgress')], 2, false, '1/2 healthy; i-b: initial (Elb.RegistrationInProgress)'],
    ['every target unhealthy (the ALB would fail open)', [t('i-a', 'unhealthy', 'Target.Timeout'), t('i-b', 'unhealthy')], 2, false, '0/2 healthy; i-a: unhealthy (Target.Timeout); i-b: unhealthy'],
    ['fewer targets registered than desired', [t('i-a', 'healthy')], 2, false, '1/2 healthy'],
    ['nothing desired and nothing registered', [], 0, false, '0/0 healthy'],
  ])('%s', (_case, targets, desired, ready, detail) => {
    const healthy = targets.filter((x) => x.state === 'healthy').length;
    expect(healthVerdict(targets, desired)).toEqual({ ready, healthy, desired, detail });
  });
});

describe('assertWithinDeadline', () => {
  const waiting = healthVerdict([t('i-9', 'unhealthy', 'Target.ResponseCodeMismatch')], 1);
  const ready = healthVerdict([t('i-9', 'healthy')], 1);
  const message = 'release 2 was not healthy within 600 s: 0/1 healthy; i-9: unhealthy (Target.ResponseCodeMismatch)';

  it.each([
    ['before the deadline', waiting, 599_999, null],
    ['at the deadline', waiting, 600_000, message],
    ['after the deadline', waiting, 900_000, message],
    ['ready after the deadline', ready, 900_000, null],
  ])('%s', (_case, verdict, elapsed, error) => {
    const check = () => assertWithinDeadline(verdict, 1_000_000, 1_000_000 + elapsed, 600, 'release 2');
    if (error) expect(check).toThrow(expect.objectContaining({ name: 'HealthDeadlineExceeded', message: error }) as Error);
    else expect(check).not.toThrow();
  });
});
