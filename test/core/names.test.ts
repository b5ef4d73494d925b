// Names of a release's resources: an alarm name says whose it is, and only
// whose it is, even when one service's name continues another's.
import { describe, expect, it } from 'vitest';
import { alarmSpecs } from '../../functions/core/alarms.ts';
import { isAlarmOf, parseAlarmName } from '../../functions/core/names.ts';
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
