// Every resource a release owns is named from the service and the release
// number alone, and tagged so that state can be rebuilt from AWS.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alarmPrefix, autoScalingGroupName, parseResourceName, releaseTags, targetGroupName } from '../../functions/core/names.ts';

describe('resource names', () => {
  it('names the target group, the Auto Scaling group and the alarms of a release', () => {
    expect([targetGroupName('web', 7), autoScalingGroupName('web', 7), alarmPrefix('web', 7)]).toEqual(['bg-web-7', 'bg-web-7', 'bg-web-7-']);
  });

  it('keeps target group names within the 32 characters ELBv2 allows', () => {
    expect(targetGroupName('a'.repeat(23), 99_999).length).toBeLessThanOrEqual(32);
  });

  it.each([
    ['bg-web-7', { service: 'web', release: 7 }],
    ['bg-web-12-5xx', { service: 'web', release: 12 }],
    ['bg-web-3-unhealthy', { service: 'web', release: 3 }],
    ['bg-web-3-latency', { service: 'web', release: 3 }],
    ['bg-my-api-2-5xx', { service: 'my-api', release: 2 }],
    ['bg-api2-40', { service: 'api2', release: 40 }],
  ])('reads %s back as its service and release', (name, parts) => {
    expect(parseResourceName(name)).toEqual(parts);
  });

  it.each([
    ['a name of another system', 'prod-web-1'],
    ['a prefix inside a longer name', 'xbg-web-1'],
    ['no release number', 'bg-web'],
    ['a release number with letters', 'bg-web-1x'],
    ['a trailing dash', 'bg-web-1-'],
    ['a suffix in capitals', 'bg-web-1-5XX'],
    ['a service in capitals', 'bg-Web-1'],
    ['a service starting with a digit', 'bg-1web-1'],
    ['an empty service', 'bg--1'],
    ['a suffix of two words', 'bg-web-1-5xx-old'],
  ])('does not claim %s (%s)', (_case, name) => {
    expect(parseResourceName(name)).toBeNull();
  });

  it('reads every name it gives back, for any valid service name and release', () => {
    const serviceName = fc.stringMatching(/^[a-z][a-z0-9-]{0,22}$/);
    fc.assert(
      fc.property(serviceName, fc.integer({ min: 1, max: 1_000_000 }), fc.constantFrom('5xx', 'unhealthy', 'latency'), (service, release, alarm) => {
        expect(parseResourceName(targetGroupName(service, release))).toEqual({ service, release });
        expect(parseResourceName(`${alarmPrefix(service, release)}${alarm}`)).toEqual({ service, release });
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
