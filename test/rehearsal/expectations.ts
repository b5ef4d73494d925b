// What every rehearsal must show, whatever the strategy: no request lost to a
// switch, the versions seen in order, and the scenario's own outcome.
import { expect } from 'vitest';
import { rehearse, type Scenario, type Strategy } from '../../local/rehearsal.ts';

/** Short enough for the suite: a 60 s alarm period takes 1.2 s, a 60 s bake as long. */
export const TIME_SCALE = 0.02;
/**
 * From a release's first 5xx to its alarm, at most: the errors' minute (the next, if they began in its last instant)
 * ends, ALB publishes it a minute later, a 60 s alarm evaluates every minute (local/cloud/realism.ts).
 */
const ALARM_LATENCY_MS = (60 + 60 + 60 + 60) * 1000 * TIME_SCALE;
/** A listener change reaches the load balancer five AWS seconds after the write (when listenerPropagation is on). */
const PROPAGATION_MS = 5 * 1000 * TIME_SCALE;
const SCHEDULING_MS = 750;

export async function rehearseAndCheck(strategy: Strategy, scenario: Scenario) {
  const { report, samples } = await rehearse({ strategy, scenario, rps: 40, timeScale: TIME_SCALE, instanceMode: 'inline' });

  const summary = JSON.stringify({ ...report, apiCalls: undefined });
  expect(report.failed, `requests lost to a switch: ${summary}`).toBe(0);
  expect(report.requests).toBeGreaterThan(100);
  const outcome = report.timeline.at(-1)?.phase;
  expect(outcome, summary).toBeDefined();
  switch (scenario) {
    case 'happy':
      expect(report.versionsSeen).toEqual(['1.0.0', '2.0.0']);
      expect(outcome).toBe('succeeded');
      expect(report.appErrors).toBe(0);
      // Once promoted, the default route serves 2.0.0 only.
      expect(samples.filter((s) => s.at > report.timeline.findLast((p) => p.phase === 'retire the old release')!.atMs && s.version === '1.0.0')).toEqual([]);
      break;
    case 'bad-release': {
      expect(report.versionsSeen).toEqual(['1.0.0', '2.0.0', '3.0.0']);
      expect(outcome).toBe('failed: RolledBack');
      expect(report.rollback?.trigger).toBe('bg-shop-3-5xx');
      // The injected errors stop within the alarm's latency plus the rollback and its propagation; SCHEDULING_MS
      // absorbs timer and in-flight delays on a busy 2-core machine.
      const errors = samples.filter((s) => s.kind === 'appError');
      expect(errors.length).toBeGreaterThan(0);
      expect(errors.at(-1)!.at - errors[0]!.at, summary).toBeLessThanOrEqual(ALARM_LATENCY_MS + report.rollback!.detectToRoutedMs + PROPAGATION_MS + SCHEDULING_MS);
      expect(samples.filter((s) => s.at > report.rollback!.routedAtMs + PROPAGATION_MS + SCHEDULING_MS && s.version === '3.0.0')).toEqual([]);
      break;
    }
    case 'never-healthy':
      expect(report.versionsSeen).toEqual(['1.0.0']);
      expect(outcome).toBe('failed: HealthDeadlineExceeded');
      expect(report.appErrors).toBe(0);
      break;
  }
  return report;
}
