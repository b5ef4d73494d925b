// Names of a release's resources, derived from the service and the release
// number alone, and its tags, so state can be rebuilt from AWS. An alarm name
// says whose it is, and only whose it is, even when one service's name
// continues another's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmSpecs } from '../../functions/core/alarms.ts';
import { alarmName, alarmPrefix, autoScalingGroupName, isAlarmOf, parseAlarmName, releaseTags, targetGroupName } from '../../functions/core/names.ts';
import { LB_ARN, r2, service } from './fixtures.ts';

describe('alarm names', () => {
  it.each([
    { name: 'bg-shop-2-5xx', service: 'shop', release: 2, expected: true },
    { name: 'bg-shop-2-latency', service: 'shop', release: 2, expected: true },
    { name: 'bg-shop-2-1-5xx', service: 'shop', release: 2, expected: false },
    { name: 'bg-shop-2-12-unhealthy', service: 'shop', release: 2, expected: false },
    { name: 'bg-shop-2-1-5xx', service: 'shop-2', release: 1, expected: true },
    { name: 'bg-shop-2-5xx', service: 'shop-2', release: 5, expected: false },
    { name: 'bg-shop-22-5xx', service: 'shop', release: 2, expected: false },
    { name: 'bg-shop-2-5xx-copy', service: 'shop', release: 2, expected: false },
  ])('$name is an alarm of $service release $release: $expected', ({ name, service: s, release, expected }) => {
    expect(isAlarmOf(name, s, release)).toBe(expected);
  });

  it.each([
    { name: 'bg-shop-2-5xx', parsed: { service: 'shop', release: 2, kind: '5xx' } },
    { name: 'bg-shop-2-1-5xx', parsed: { service: 'shop-2', release: 1, kind: '5xx' } },
    { name: 'bg-a1-b2-3-latency', parsed: { service: 'a1-b2', release: 3, kind: 'latency' } },
    { name: 'bg-shop-2-1-unhealthy', parsed: { service: 'shop-2', release: 1, kind: 'unhealthy' } },
    { name: 'bg-shop-2', parsed: null },
    { name: 'bg-shop-2-http5xx', parsed: null },
    { name: 'bg-shop-x-5xx', parsed: null },
    { name: 'other-shop-2-5xx', parsed: null },
  ])('parses $name', ({ name, parsed }) => {
    expect(parseAlarmName(name)).toEqual(parsed);
  });

  it('every alarm the bake arms is its release\'s, and parses back to it', () => {
    const specs = alarmSpecs(service(), r2, LB_ARN);
    expect(specs.map((s) => s.name)).toEqual(['bg-web-2-5xx', 'bg-web-2-unhealthy', 'bg-web-2-latency']);
    expect(specs.every((s) => isAlarmOf(s.name, 'web', 2) && !isAlarmOf(s.name, 'web', 20))).toBe(true);
    expect(specs.map((s) => parseAlarmName(s.name))).toEqual(['5xx', 'unhealthy', 'latency'].map((kind) => ({ service: 'web', release: 2, kind })));
  });
});

describe('resource names', () => {
  it('names the target group, the Auto Scaling group and the alarms of a release', () => {
    expect([targetGroupName('web', 7), autoScalingGroupName('web', 7), alarmPrefix('web', 7), alarmName('web', 7, 'latency')]).toEqual([
      'bg-web-7',
      'bg-web-7',
      'bg-web-7-',
      'bg-web-7-latency',
    ]);
  });

  it('keeps target group names within the 32 characters ELBv2 allows', () => {
    expect(targetGroupName('a'.repeat(23), 99_999).length).toBeLessThanOrEqual(32);
  });

  it.each([
    ['a name of another system', 'prod-web-1-5xx'],
    ['a prefix inside a longer name', 'xbg-web-1-5xx'],
    ['a release number with letters', 'bg-web-1x-5xx'],
    ['a trailing dash', 'bg-web-1-5xx-'],
    ['a kind in capitals', 'bg-web-1-5XX'],
    ['a service in capitals', 'bg-Web-1-5xx'],
    ['a service starting with a digit', 'bg-1web-1-5xx'],
    ['an empty service', 'bg--1-5xx'],
    ['no release number', 'bg-web--5xx'],
  ])('does not claim %s (%s)', (_case, name) => {
    expect(parseAlarmName(name)).toBeNull();
  });

  it('reads every alarm name it gives back, for any valid service name and release', () => {
    const serviceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,22}$/);
    fc.assert(
      fc.property(serviceName, fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('5xx', 'unhealthy', 'latency' as const), (service, release, kind) => {
        expect(parseAlarmName(alarmName(service, release, kind))).toEqual({ service, release, kind });
        expect(isAlarmOf(alarmName(service, release, kind), service, release)).toBe(true);
      }),
    );
  });

  it('tags a release with who manages it, its service, number and version', () => {
    expect(releaseTags('web', 7, '1.4.2')).toEqual({
      'bluegreen:managed-by': 'bluegreen',
      'bluegreen:service': 'web',
      'bluegreen:release': '7',
      'bluegreen:version': '1.4.2',
    });
  });
});
