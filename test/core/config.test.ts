// The configuration is validated once, before anything is deployed. A bad
// value is refused with the path of the field and a message saying what is
// allowed; every limit is checked on both sides; an omitted field gets its
// documented default. Rules that span services (one listener per service)
// name both fields.
import { describe, expect, it } from 'vitest';
import { findService, parseConfig, probeProblems } from '../../functions/core/config.ts';
import { ConfigInvalid } from '../../functions/core/errors.ts';

const LB = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188';
/** Each service on a listener of its own. */
const listenerArn = (service: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/${service}`;

/** The fields without a default. */
function minimal(name = 'web'): Record<string, unknown> {
  return {
    name,
    github: { repository: 'acme/web' },
    listener: { loadBalancerArn: LB, listenerArn: listenerArn(name) },
    launchTemplate: { id: 'lt-0123456789abcdef0' },
    subnets: ['subnet-a'],
    targetGroup: { vpcId: 'vpc-1' },
  };
}

/** The minimal service with `value` at the dotted `path` (objects on the way are kept and extended). */
function withField(path: string, value: unknown): Record<string, unknown> {
  const doc = minimal();
  const keys = path.split('.');
  let at: Record<string, unknown> = doc;
  for (const key of keys.slice(0, -1)) {
    at[key] = { ...(at[key] ?? {}) };
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
  return doc;
}

/** The problems of a refused document, as the user reads them; null when accepted. */
function problems(doc: unknown): string | null {
  try {
    parseConfig(doc);
    return null;
  } catch (error) {
    expect((error as Error).name).toBe('ConfigInvalid');
    const message = (error as Error).message;
    expect(message.startsWith('invalid configuration: ')).toBe(true);
    return message.slice('invalid configuration: '.length);
  }
}

const withListener = (service: Record<string, unknown>, id: string) => ({ ...service, listener: { loadBalancerArn: LB, listenerArn: listenerArn(id) } });
const POLLS = 'services[0].healthGate: deadlineSeconds / pollSeconds must be at most 300 polls: each poll adds 9 events to the execution history, whose quota is 25,000';
const PERIOD = 'must be a multiple of 60 between 60 and 3600: load balancer metrics arrive at 60-second resolution, so a shorter or offset period never fires';
const one = (service: Record<string, unknown>) => ({ services: [service] });
const headerCanary = (extra: Record<string, unknown>) => ({ type: 'header-canary', ...extra });
const weighted = (steps: unknown) => ({ type: 'weighted-canary', steps });
const alarm = (extra: Record<string, unknown>) => ({ http5xx: { threshold: 1, ...extra } });

describe('parseConfig: bad values are refused with the field and the rule', () => {
  const TOO_SHORT = 'Too small: expected string to have >=1 characters';
  const NAME = 'services[0].name: lower-case letters, digits and dashes, 23 characters at most';

  it.each<[string, unknown, string]>([
    // the document
    ['not an object', null, '(root): Invalid input: expected object, received null'],
    ['no services', {}, 'services: Invalid input: expected array, received undefined'],
    ['an empty service list', { services: [] }, 'services: Too small: expected array to have >=1 items'],
    ['two services of one name', { services: [minimal('web'), minimal('api'), withListener(minimal('web'), 'web-2')] }, '(root): service names must be unique'],
    ['a service without its required fields', { services: [{ name: 'web' }] }, [
      'services[0].github: Invalid input: expected object, received undefined',
      'services[0].listener: Invalid input: expected object, received undefined',
      'services[0].launchTemplate: Invalid input: expected object, received undefined',
      'services[0].subnets: Invalid input: expected array, received undefined',
      'services[0].targetGroup: Invalid input: expected object, received undefined',
    ].join('; ')],
    ['a problem in the second service', { services: [minimal('web'), { ...minimal('api'), subnets: [''] }] }, `services[1].subnets[0]: ${TOO_SHORT}`],
    ['two problems in one service', one({ ...minimal('Web'), subnets: [] }), `${NAME}; services[0].subnets: Too small: expected array to have >=1 items`],
    // name
    ['a name in capitals', one(minimal('Web')), NAME],
    ['a name of 24 characters', one(minimal('a'.repeat(24))), NAME],
    ['a name starting with a digit', one(minimal('1web')), NAME],
    ['a name starting with a dash', one(minimal('-web')), NAME],
    ['a name with an underscore', one(minimal('web_api')), NAME],
    ['a name with a trailing character outside the set', one(minimal('web!')), NAME],
    ['a name with a leading character outside the set', one(minimal('!web')), NAME],
    ['an empty name', one(minimal('')), NAME],
    // github
    ['a repository without an owner', one(withField('github.repository', 'web')), 'services[0].github.repository: owner/name'],
    ['a repository with a leading slash', one(withField('github.repository', '/acme/web')), 'services[0].github.repository: owner/name'],
    ['a repository with a path after it', one(withField('github.repository', 'acme/web/tree')), 'services[0].github.repository: owner/name'],
    ['a repository with an empty name', one(withField('github.repository', 'acme/')), 'services[0].github.repository: owner/name'],
    ['a repository URL', one(withField('github.repository', 'https://github.com/acme/web')), 'services[0].github.repository: owner/name'],
    ['an empty branch', one(withField('github.branch', '')), `services[0].github.branch: ${TOO_SHORT}`],
    ['an empty path prefix', one(withField('github.paths', ['src/', ''])), `services[0].github.paths[1]: ${TOO_SHORT}`],
    ['an empty manifest path', one(withField('github.manifest', '')), `services[0].github.manifest: ${TOO_SHORT}`],
    // listener and launch template
    ['an empty load balancer ARN', one(withField('listener.loadBalancerArn', '')), `services[0].listener.loadBalancerArn: ${TOO_SHORT}`],
    ['an empty listener ARN', one(withField('listener.listenerArn', '')), `services[0].listener.listenerArn: ${TOO_SHORT}`],
    ['an empty launch template id', one(withField('launchTemplate.id', '')), `services[0].launchTemplate.id: ${TOO_SHORT}`],
    ...['app_version', 'APP-VERSION', '2APP', 'APP VERSION', ''].map((name): [string, unknown, string] => [
      `a version variable "${name}"`,
      one(withField('launchTemplate.versionVariable', name)),
      'services[0].launchTemplate.versionVariable: Invalid string: must match pattern /^[A-Z_][A-Z0-9_]*$/',
    ]),
    // subnets and capacity
    ['no subnet', one(withField('subnets', [])), 'services[0].subnets: Too small: expected array to have >=1 items'],
    ['an empty subnet id', one(withField('subnets', [''])), `services[0].subnets[0]: ${TOO_SHORT}`],
    ['desired below min', one(withField('capacity', { min: 3, max: 4, desired: 2 })), 'services[0].capacity: need min <= desired <= max'],
    ['desired above max', one(withField('capacity', { min: 1, max: 2, desired: 3 })), 'services[0].capacity: need min <= desired <= max'],
    ['a negative min', one(withField('capacity', { min: -1, max: 2, desired: 1 })), 'services[0].capacity.min: Too small: expected number to be >=0'],
    ['a max of 0', one(withField('capacity', { min: 0, max: 0, desired: 1 })), 'services[0].capacity.max: Too small: expected number to be >=1; services[0].capacity: need min <= desired <= max'],
    ['a desired of 0', one(withField('capacity', { min: 0, max: 2, desired: 0 })), 'services[0].capacity.desired: Too small: expected number to be >=1'],
    ['a fractional desired', one(withField('capacity', { min: 1, max: 2, desired: 1.5 })), 'services[0].capacity.desired: Invalid input: expected int, received number'],
    ['a number as text', one(withField('capacity', { min: '1', max: 2, desired: 1 })), 'services[0].capacity.min: Invalid input: expected number, received string'],
    // target group
    ['an empty VPC id', one(withField('targetGroup.vpcId', '')), `services[0].targetGroup.vpcId: ${TOO_SHORT}`],
    ['a protocol the ALB does not speak', one(withField('targetGroup.protocol', 'TCP')), 'services[0].targetGroup.protocol: Invalid option: expected one of "HTTP"|"HTTPS"'],
    ['port 0', one(withField('targetGroup.port', 0)), 'services[0].targetGroup.port: Too small: expected number to be >=1'],
    ['port 65536', one(withField('targetGroup.port', 65_536)), 'services[0].targetGroup.port: Too big: expected number to be <=65535'],
    ['a relative health check path', one(withField('targetGroup.healthCheckPath', 'health/')), 'services[0].targetGroup.healthCheckPath: Invalid string: must start with "/"'],
    ['a health check every 4 s', one(withField('targetGroup.healthCheckIntervalSeconds', 4)), 'services[0].targetGroup.healthCheckIntervalSeconds: Too small: expected number to be >=5'],
    ['a health check every 301 s', one(withField('targetGroup.healthCheckIntervalSeconds', 301)), 'services[0].targetGroup.healthCheckIntervalSeconds: Too big: expected number to be <=300'],
    ['a healthy threshold of 1', one(withField('targetGroup.healthyThreshold', 1)), 'services[0].targetGroup.healthyThreshold: Too small: expected number to be >=2'],
    ['a healthy threshold of 11', one(withField('targetGroup.healthyThreshold', 11)), 'services[0].targetGroup.healthyThreshold: Too big: expected number to be <=10'],
    ['an unhealthy threshold of 1', one(withField('targetGroup.unhealthyThreshold', 1)), 'services[0].targetGroup.unhealthyThreshold: Too small: expected number to be >=2'],
    ['an unhealthy threshold of 11', one(withField('targetGroup.unhealthyThreshold', 11)), 'services[0].targetGroup.unhealthyThreshold: Too big: expected number to be <=10'],
    ['a negative deregistration delay', one(withField('targetGroup.deregistrationDelaySeconds', -1)), 'services[0].targetGroup.deregistrationDelaySeconds: Too small: expected number to be >=0'],
    ['a deregistration delay over an hour', one(withField('targetGroup.deregistrationDelaySeconds', 3601)), 'services[0].targetGroup.deregistrationDelaySeconds: Too big: expected number to be <=3600'],
    ['a fractional deregistration delay', one(withField('targetGroup.deregistrationDelaySeconds', 0.5)), 'services[0].targetGroup.deregistrationDelaySeconds: Invalid input: expected int, received number'],
    // strategy
    ['an unknown strategy', one(withField('strategy', { type: 'rolling' })), "services[0].strategy.type: Invalid discriminator value. Expected 'blue-green' | 'header-canary' | 'weighted-canary'"],
    ['a promotion neither manual nor automatic', one(withField('strategy', headerCanary({ promotion: 'never' }))), 'services[0].strategy.promotion: Invalid option: expected one of "manual"|"automatic"'],
    ['an empty header', one(withField('strategy', headerCanary({ header: '' }))), `services[0].strategy.header: ${TOO_SHORT}`],
    ['a header of 41 characters', one(withField('strategy', headerCanary({ header: 'x'.repeat(41) }))), 'services[0].strategy.header: Too big: expected string to have <=40 characters'],
    ['priority 0', one(withField('strategy', headerCanary({ priority: 0 }))), 'services[0].strategy.priority: Too small: expected number to be >=1'],
    ['priority 50000 (the blue rule would take 50001)', one(withField('strategy', headerCanary({ priority: 50_000 }))), 'services[0].strategy.priority: Too big: expected number to be <=49999'],
    ['a promotion timeout of 0 minutes', one(withField('strategy', headerCanary({ promotionTimeoutMinutes: 0 }))), 'services[0].strategy.promotionTimeoutMinutes: Too small: expected number to be >=1'],
    ['a promotion timeout over a week', one(withField('strategy', headerCanary({ promotionTimeoutMinutes: 10_081 }))), 'services[0].strategy.promotionTimeoutMinutes: Too big: expected number to be <=10080'],
    ['steps that decrease', one(withField('strategy', weighted([50, 10, 100]))), 'services[0].strategy.steps: steps must increase'],
    ['a step repeated', one(withField('strategy', weighted([50, 50, 100]))), 'services[0].strategy.steps: steps must increase'],
    ['steps that decrease at the end', one(withField('strategy', weighted([10, 100, 100]))), 'services[0].strategy.steps: steps must increase'],
    ['steps not ending at 100', one(withField('strategy', weighted([10, 50]))), 'services[0].strategy.steps: the last step must be 100'],
    ['steps ending past 100 first', one(withField('strategy', weighted([100, 50]))), 'services[0].strategy.steps: steps must increase; services[0].strategy.steps: the last step must be 100'],
    ['no step', one(withField('strategy', weighted([]))), 'services[0].strategy.steps: Too small: expected array to have >=1 items; services[0].strategy.steps: the last step must be 100'],
    ['a step of 0', one(withField('strategy', weighted([0, 100]))), 'services[0].strategy.steps[0]: Too small: expected number to be >=1'],
    ['a step over 100', one(withField('strategy', weighted([50, 101]))), 'services[0].strategy.steps[1]: Too big: expected number to be <=100; services[0].strategy.steps: the last step must be 100'],
    ['eleven steps', one(withField('strategy', weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100]))), 'services[0].strategy.steps: Too big: expected array to have <=10 items'],
    // health gate
    ['a health deadline under 30 s', one(withField('healthGate', { deadlineSeconds: 29 })), 'services[0].healthGate.deadlineSeconds: Too small: expected number to be >=30'],
    ['a poll of 0 s', one(withField('healthGate', { pollSeconds: 0 })), `services[0].healthGate.pollSeconds: Too small: expected number to be >=1; ${POLLS}`],
    ['a health deadline over an hour', one(withField('healthGate', { deadlineSeconds: 3601 })), 'services[0].healthGate.deadlineSeconds: Too big: expected number to be <=3600'],
    ['301 polls of 1 s', one(withField('healthGate', { deadlineSeconds: 301, pollSeconds: 1 })), POLLS],
    ['a last poll cut short past 300', one(withField('healthGate', { deadlineSeconds: 3001, pollSeconds: 10 })), POLLS],
    ['a poll over 300 s', one(withField('healthGate', { pollSeconds: 301 })), 'services[0].healthGate.pollSeconds: Too big: expected number to be <=300'],
    // bake and alarms
    ['a negative bake', one(withField('bake', { seconds: -1 })), 'services[0].bake.seconds: Too small: expected number to be >=0'],
    ['a negative alarm threshold', one(withField('bake', { alarms: alarm({ threshold: -1 }) })), 'services[0].bake.alarms.http5xx.threshold: Too small: expected number to be >=0'],
    ['an alarm without a threshold', one(withField('bake', { alarms: { latencyP99Ms: {} } })), 'services[0].bake.alarms.latencyP99Ms.threshold: Invalid input: expected number, received undefined'],
    ['an alarm over 0 periods', one(withField('bake', { alarms: alarm({ periods: 0 }) })), 'services[0].bake.alarms.http5xx.periods: Too small: expected number to be >=1'],
    ['an alarm over 11 periods', one(withField('bake', { alarms: alarm({ periods: 11 }) })), 'services[0].bake.alarms.http5xx.periods: Too big: expected number to be <=10'],
    ...[0, 30, 59, 90, 61.5, 3660].map((periodSeconds): [string, unknown, string] => [
      `an alarm period of ${periodSeconds} s`,
      one(withField('bake', { alarms: alarm({ periodSeconds }) })),
      `services[0].bake.alarms.http5xx.periodSeconds: ${PERIOD}`,
    ]),
    // retention
    ['an unknown retention mode', one(withField('retention', { mode: 'cold' })), 'services[0].retention.mode: Invalid option: expected one of "warm"|"standby"|"zero"'],
    ['a negative retention', one(withField('retention', { minutes: -1 })), 'services[0].retention.minutes: Too small: expected number to be >=0'],
    ['a retention over a week', one(withField('retention', { minutes: 10_081 })), 'services[0].retention.minutes: Too big: expected number to be <=10080'],
    ['negative generations', one(withField('retention', { generations: -1 })), 'services[0].retention.generations: Too small: expected number to be >=0'],
    ['four generations', one(withField('retention', { generations: 4 })), 'services[0].retention.generations: Too big: expected number to be <=3'],
    // smoke test, role, Slack, pushes
    ['a smoke test URL that is not one', one(withField('smokeTest', { url: 'web.example.com' })), 'services[0].smokeTest.url: Invalid URL'],
    ['a smoke test expecting status 99', one(withField('smokeTest', { url: 'http://lb/', expectStatus: 99 })), 'services[0].smokeTest.expectStatus: Too small: expected number to be >=100'],
    ['a smoke test version field that is not a JSON field name', one(withField('smokeTest', { url: 'http://lb/', versionField: 'build version' })), 'services[0].smokeTest.versionField: a JSON field name, dots for nesting'],
    ['a smoke test expecting status 600', one(withField('smokeTest', { url: 'http://lb/', expectStatus: 600 })), 'services[0].smokeTest.expectStatus: Too big: expected number to be <=599'],
    ['a smoke test sent from elsewhere than the step function or the VPC', one(withField('smokeTest', { url: 'http://lb/', from: 'lambda' })), 'services[0].smokeTest.from: Invalid option: expected one of "step"|"vpc"'],
    ['a role that is not an ARN', one(withField('roleArn', 'deployer')), 'services[0].roleArn: Invalid string: must start with "arn:"'],
    ['a role with arn: inside it', one(withField('roleArn', 'role/arn:aws')), 'services[0].roleArn: Invalid string: must start with "arn:"'],
    ['an empty Slack channel', one(withField('slack', { channels: [''] })), `services[0].slack.channels[0]: ${TOO_SHORT}`],
    ['an empty Slack user', one(withField('slack', { users: ['U1', ''] })), `services[0].slack.users[1]: ${TOO_SHORT}`],
    ['an empty Slack group', one(withField('slack', { groups: [''] })), `services[0].slack.groups[0]: ${TOO_SHORT}`],
    ['an unknown push policy', one(withField('onPush', 'drop')), 'services[0].onPush: Invalid option: expected one of "queue"|"supersede"'],
  ])('%s', (_case, doc, message) => {
    expect(problems(doc)).toBe(message);
  });
});

describe('parseConfig: values at each limit are accepted', () => {
  it.each<[string, string, unknown]>([
    ['a one-letter name', 'name', 'w'],
    ['a name of 23 characters', 'name', `w${'-9'.repeat(11)}`],
    ['a name with digits and dashes', 'name', 'shop-api-2'],
    ['a repository with dots, dashes and underscores', 'github.repository', 'acme-corp/web_site.v2'],
    ['a one-letter owner and name', 'github.repository', 'a/b'],
    ['a version variable with digits and underscores', 'launchTemplate.versionVariable', '_RELEASE_2'],
    ['a one-letter version variable', 'launchTemplate.versionVariable', 'V'],
    ['min = desired = max', 'capacity', { min: 3, max: 3, desired: 3 }],
    ['min 0', 'capacity', { min: 0, max: 1, desired: 1 }],
    ['port 1', 'targetGroup.port', 1],
    ['port 65535', 'targetGroup.port', 65_535],
    ['a health check path', 'targetGroup.healthCheckPath', '/healthz'],
    ['a health check every 5 s', 'targetGroup.healthCheckIntervalSeconds', 5],
    ['a health check every 300 s', 'targetGroup.healthCheckIntervalSeconds', 300],
    ['healthy threshold 2', 'targetGroup.healthyThreshold', 2],
    ['healthy threshold 10', 'targetGroup.healthyThreshold', 10],
    ['unhealthy threshold 2', 'targetGroup.unhealthyThreshold', 2],
    ['unhealthy threshold 10', 'targetGroup.unhealthyThreshold', 10],
    ['no deregistration delay', 'targetGroup.deregistrationDelaySeconds', 0],
    ['a deregistration delay of an hour', 'targetGroup.deregistrationDelaySeconds', 3600],
    ['a one-character header', 'strategy', headerCanary({ header: 'x' })],
    ['a header of 40 characters', 'strategy', headerCanary({ header: 'x'.repeat(40) })],
    ['priority 1', 'strategy', headerCanary({ priority: 1 })],
    ['priority 49999', 'strategy', headerCanary({ priority: 49_999 })],
    ['a promotion timeout of 1 minute', 'strategy', headerCanary({ promotionTimeoutMinutes: 1 })],
    ['a promotion timeout of a week', 'strategy', headerCanary({ promotionTimeoutMinutes: 10_080 })],
    ['automatic promotion', 'strategy', headerCanary({ promotion: 'automatic' })],
    ['a single step of 100', 'strategy', weighted([100])],
    ['ten steps', 'strategy', weighted([1, 2, 3, 4, 5, 6, 7, 8, 9, 100])],
    ['a step of 1', 'strategy', weighted([1, 100])],
    ['a health deadline of 30 s', 'healthGate', { deadlineSeconds: 30 }],
    ['300 polls of a second', 'healthGate', { deadlineSeconds: 300, pollSeconds: 1 }],
    ['a health deadline of an hour', 'healthGate', { deadlineSeconds: 3600 }],
    ['300 polls over an hour', 'healthGate', { deadlineSeconds: 3600, pollSeconds: 12 }],
    ['a poll every 300 s', 'healthGate', { pollSeconds: 300 }],
    ['no bake', 'bake', { seconds: 0 }],
    ['an alarm over 1 period', 'bake', { alarms: alarm({ periods: 1 }) }],
    ['an alarm over 10 periods', 'bake', { alarms: alarm({ periods: 10 }) }],
    ...[60, 120, 300, 3600].map((periodSeconds): [string, string, unknown] => [`an alarm period of ${periodSeconds} s`, 'bake', { alarms: alarm({ periodSeconds }) }]),
    ['no retention', 'retention', { minutes: 0 }],
    ['a retention of a week', 'retention', { minutes: 10_080 }],
    ['three generations', 'retention', { generations: 3 }],
    ['a smoke test expecting 100', 'smokeTest', { url: 'http://lb.example.com/', expectStatus: 100 }],
    ['a smoke test expecting 599', 'smokeTest', { url: 'http://lb.example.com/', expectStatus: 599 }],
    ['a smoke test from the step function', 'smokeTest', { url: 'http://lb.example.com/', from: 'step' }],
    ['a smoke test from the VPC', 'smokeTest', { url: 'http://internal-lb.example.com/', from: 'vpc' }],
    ['a role', 'roleArn', 'arn:aws:iam::123456789012:role/deployer'],
  ])('%s', (_case, path, value) => {
    expect(problems(one(withField(path, value)))).toBeNull();
  });
});

describe('parseConfig: defaults', () => {
  it('fills every omitted field with its documented default', () => {
    expect(parseConfig(one(minimal())).services[0]).toEqual({
      ...minimal(),
      github: { repository: 'acme/web', branch: 'main', paths: [] },
      launchTemplate: { id: 'lt-0123456789abcdef0', versionVariable: 'APP_VERSION' },
      capacity: { min: 2, max: 4, desired: 2 },
      targetGroup: {
        vpcId: 'vpc-1',
        protocol: 'HTTP',
        port: 80,
        healthCheckPath: '/health',
        healthCheckIntervalSeconds: 10,
        healthyThreshold: 2,
        unhealthyThreshold: 2,
        deregistrationDelaySeconds: 30,
      },
      strategy: { type: 'blue-green' },
      healthGate: { deadlineSeconds: 600, pollSeconds: 15 },
      bake: {
        seconds: 300,
        alarms: {
          http5xx: { threshold: 5, periods: 1, periodSeconds: 60 },
          unhealthyHosts: { threshold: 0, periods: 2, periodSeconds: 60 },
          latencyP99Ms: { threshold: 1000, periods: 3, periodSeconds: 60 },
        },
      },
      retention: { mode: 'warm', minutes: 60, generations: 0 },
      slack: { channels: [], users: [], groups: [] },
      onPush: 'queue',
    });
  });

  it.each<[string, string, unknown, unknown]>([
    ['a header canary', 'strategy', { type: 'header-canary' }, { type: 'header-canary', promotion: 'manual', header: 'x-client-mode', priority: 10, promotionTimeoutMinutes: 1440 }],
    ['a weighted canary', 'strategy', { type: 'weighted-canary' }, { type: 'weighted-canary', steps: [10, 50, 100] }],
    ['a health gate given in part', 'healthGate', { pollSeconds: 5 }, { deadlineSeconds: 600, pollSeconds: 5 }],
    [
      'a bake given without alarms',
      'bake',
      { seconds: 60 },
      {
        seconds: 60,
        alarms: {
          http5xx: { threshold: 5, periods: 1, periodSeconds: 60 },
          unhealthyHosts: { threshold: 0, periods: 2, periodSeconds: 60 },
          latencyP99Ms: { threshold: 1000, periods: 3, periodSeconds: 60 },
        },
      },
    ],
    ['an alarm given by its threshold', 'bake', { alarms: { latencyP99Ms: { threshold: 800 } } }, { seconds: 300, alarms: { latencyP99Ms: { threshold: 800, periods: 1, periodSeconds: 60 } } }],
    ['a target group given in part', 'targetGroup', { vpcId: 'vpc-2', port: 8080 }, {
      vpcId: 'vpc-2', protocol: 'HTTP', port: 8080, healthCheckPath: '/health', healthCheckIntervalSeconds: 10, healthyThreshold: 2, unhealthyThreshold: 2, deregistrationDelaySeconds: 30,
    }],
    ['a retention given in part', 'retention', { mode: 'zero' }, { mode: 'zero', minutes: 60, generations: 0 }],
    ['Slack given in part', 'slack', { users: ['U1'] }, { channels: [], users: ['U1'], groups: [] }],
    ['a smoke test given by its URL, sent from the step function', 'smokeTest', { url: 'http://lb.example.com/' }, { url: 'http://lb.example.com/', expectStatus: 200, from: 'step' }],
  ])('completes %s', (_case, path, value, expected) => {
    const parsed = parseConfig(one(withField(path, value))).services[0] as unknown as Record<string, unknown>;
    expect(parsed[path]).toEqual(expected);
  });

  it('leaves out what has no default: manifest, smoke test, role', () => {
    const parsed = parseConfig(one(minimal())).services[0]!;
    expect([parsed.github.manifest, parsed.smokeTest, parsed.roleArn]).toEqual([undefined, undefined, undefined]);
  });
});

describe('probeProblems: a smoke test from the VPC needs the stack\'s probe function', () => {
  const fromVpc = (name: string) => ({ ...withListener(minimal(name), name), strategy: { type: 'header-canary' }, smokeTest: { url: `http://${name}.internal/`, from: 'vpc' } });
  const config = parseConfig({ services: [withListener(minimal('web'), 'web'), fromVpc('api'), fromVpc('docs')] });

  it('names each service that asks for it when the stack has none', () => {
    expect(probeProblems(config, false)).toEqual([
      'services[1].smokeTest.from: "vpc" needs the stack\'s probe function: deploy with the probeSubnetIds and probeSecurityGroupIds parameters',
      'services[2].smokeTest.from: "vpc" needs the stack\'s probe function: deploy with the probeSubnetIds and probeSecurityGroupIds parameters',
    ]);
  });

  it('finds nothing wrong when the stack has one, or no service asks for it', () => {
    expect(probeProblems(config, true)).toEqual([]);
    expect(probeProblems(parseConfig({ services: [minimal('web')] }), false)).toEqual([]);
  });
});

describe('findService', () => {
  const config = parseConfig({ services: [minimal('web'), minimal('api')] });

  it('finds a configured service by name', () => {
    expect(findService(config, 'api').name).toBe('api');
  });

  it('names the configured services when the name is unknown', () => {
    expect(() => findService(config, 'shop')).toThrow(expect.objectContaining({ name: 'UnknownService', message: 'unknown service "shop"; configured: web, api' }) as Error);
  });
});

const listenerOf = (id: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/${id}`;

function document(...services: Array<[name: string, listenerId: string]>) {
  return {
    services: services.map(([name, listenerId]) => ({
      name,
      github: { repository: `acme/${name}` },
      listener: { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188', listenerArn: listenerOf(listenerId) },
      launchTemplate: { id: 'lt-0123456789abcdef0' },
      subnets: ['subnet-a'],
      targetGroup: { vpcId: 'vpc-1' },
    })),
  };
}

describe('parseConfig: one service per listener', () => {
  it('accepts services on listeners of their own behind one load balancer', () => {
    expect(parseConfig(document(['web', 'a1'], ['api', 'b2'])).services.map((s) => s.name)).toEqual(['web', 'api']);
  });

  it.each([
    {
      case: 'two services naming the same listener',
      services: [['web', 'a1'], ['api', 'a1']] as Array<[string, string]>,
      message: 'services[1].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web); a listener belongs to one service',
    },
    {
      case: 'a third service naming the first one’s listener',
      services: [['web', 'a1'], ['api', 'b2'], ['docs', 'a1']] as Array<[string, string]>,
      message: 'services[2].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web); a listener belongs to one service',
    },
  ])('refuses $case, naming both fields', ({ services, message }) => {
    const parse = () => parseConfig(document(...services));
    expect(parse).toThrow(ConfigInvalid);
    expect(parse).toThrow(message);
  });

  it('names every service that shares the listener, once each', () => {
    const parse = () => parseConfig(document(['web', 'a1'], ['api', 'a1'], ['docs', 'a1']));
    expect(parse).toThrow('services[1].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web); a listener belongs to one service; services[2].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web)');
  });
});
