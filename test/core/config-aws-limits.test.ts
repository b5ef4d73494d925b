// Configuration rules that keep a service inside what AWS can actually do:
// each refusal names the field and says why.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config.ts';
import { ConfigInvalid } from '../../functions/core/errors.ts';
import { LB_ARN, LISTENER_ARN } from './fixtures.ts';

function configWith(extra: Record<string, unknown>) {
  return {
    services: [
      {
        name: 'web',
        github: { repository: 'acme/web' },
        listener: { loadBalancerArn: LB_ARN, listenerArn: LISTENER_ARN },
        launchTemplate: { id: 'lt-0123456789abcdef0' },
        subnets: ['subnet-a'],
        targetGroup: { vpcId: 'vpc-1' },
        ...extra,
      },
    ],
  };
}

function refusal(extra: Record<string, unknown>): string {
  try {
    parseConfig(configWith(extra));
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigInvalid);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('alarm periods', () => {
  it.each([10, 20, 30, 90, 0, -60])('refuses %i s, naming the field and the 60-second resolution of ALB metrics', (periodSeconds) => {
    const message = refusal({ bake: { alarms: { http5xx: { threshold: 1, periodSeconds } } } });

    expect(message).toContain('services[0].bake.alarms.http5xx.periodSeconds');
    expect(message).toMatch(/multiple of 60/);
    expect(message).toMatch(/60-second/);
  });

  it.each([60, 120, 300, 3600])('accepts %i s', (periodSeconds) => {
    const service = parseConfig(configWith({ bake: { alarms: { latencyP99Ms: { threshold: 500, periodSeconds } } } })).services[0]!;

    expect(service.bake.alarms.latencyP99Ms?.periodSeconds).toBe(periodSeconds);
  });
});

describe('the health gate', () => {
  it.each([
    [3600, 1],
    [600, 1],
    [3600, 10],
  ])('refuses a %i s deadline polled every %i s: too many polls for one execution history', (deadlineSeconds, pollSeconds) => {
    const message = refusal({ healthGate: { deadlineSeconds, pollSeconds } });

    expect(message).toContain('services[0].healthGate');
    expect(message).toMatch(/at most 300 polls/);
    expect(message).toMatch(/25,000/);
  });

  it('refuses a deadline over an hour, naming the field', () => {
    expect(refusal({ healthGate: { deadlineSeconds: 7200, pollSeconds: 60 } })).toContain('services[0].healthGate.deadlineSeconds');
  });

  it.each([
    [300, 1],
    [600, 15],
    [3600, 12],
  ])('accepts a %i s deadline polled every %i s', (deadlineSeconds, pollSeconds) => {
    expect(parseConfig(configWith({ healthGate: { deadlineSeconds, pollSeconds } })).services[0]!.healthGate).toEqual({ deadlineSeconds, pollSeconds });
  });
});
