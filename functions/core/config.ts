// Service configuration: one validated document for all services, parsed once.
// Errors name the field (`services[0].strategy.steps: …`) so a typo is found
// before anything is deployed.
import { z } from 'zod';
import { ConfigInvalid, UnknownService } from './errors.ts';

const seconds = z.number().int().nonnegative();

/**
 * History events one health poll costs (statemachines/deploy.asl.json, the
 * WaitForHealthy → CheckHealth → IsHealthy loop, and the same for a rollback's
 * WaitForRestore → RollBack → IsRolledBack): Wait entered and exited (2), the
 * step Lambda's task entered, scheduled, started, succeeded and exited (5), the
 * Choice entered and exited (2). test/statemachines/history-budget.test.ts
 * counts them in the generated ASL.
 */
export const HEALTH_POLL_HISTORY_EVENTS = 9;
/**
 * Polls one health gate may take (deadline / poll interval). Both gates of one
 * execution at this bound cost 2 × 300 × 9 = 5,400 events: under a quarter of
 * the 25,000-event history quota of a Standard execution, leaving the rest for
 * the workflow's other states and their retries.
 */
export const MAX_HEALTH_POLLS = 300;

// "CloudWatch metrics for your Application Load Balancer": the load balancer
// sends its metrics in 60-second intervals. PutMetricAlarm accepts 10, 20 and
// 30 s periods too, but on a metric without sub-minute resolution such an
// alarm finds no data point in most periods, lapses into INSUFFICIENT_DATA and,
// with missing data treated as not breaching, never fires.
const ALARM_PERIOD = 'must be a multiple of 60 between 60 and 3600: load balancer metrics arrive at 60-second resolution, so a shorter or offset period never fires';

const alarmSpec = z.object({
  threshold: z.number().nonnegative(),
  /** Evaluation periods that must breach before the alarm fires. */
  periods: z.number().int().min(1).max(10).default(1),
  /** Seconds per evaluation period, a multiple of 60: load balancer metrics arrive at 60-second resolution, so a shorter period never fires. */
  periodSeconds: z.number().int(ALARM_PERIOD).min(60, ALARM_PERIOD).max(3600, ALARM_PERIOD).multipleOf(60, ALARM_PERIOD).default(60),
});

const strategy = z.discriminatedUnion('type', [
  z.object({ type: z.literal('blue-green') }),
  z.object({
    type: z.literal('header-canary'),
    promotion: z.enum(['manual', 'automatic']).default('manual'),
    header: z.string().min(1).max(40).default('x-client-mode'),
    /** Priority of the `green` rule; the `blue` rule takes the next one. */
    priority: z.number().int().min(1).max(49_999).default(10),
    /** A manual promotion not given within this time rolls back. */
    promotionTimeoutMinutes: z.number().int().min(1).max(7 * 24 * 60).default(24 * 60),
  }),
  z.object({
    type: z.literal('weighted-canary'),
    /** Percent of traffic on the new release at each step; the last step must be 100. */
    steps: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .max(10)
      .refine((s) => s.every((w, i) => i === 0 || w > s[i - 1]!), 'steps must increase')
      .refine((s) => s[s.length - 1] === 100, 'the last step must be 100')
      .default([10, 50, 100]),
  }),
]);

export const serviceSchema = z.object({
  /** Lower-case, short: it becomes part of target group names (32 characters at most). */
  name: z.string().regex(/^[a-z][a-z0-9-]{0,22}$/, 'lower-case letters, digits and dashes, 23 characters at most'),
  github: z.object({
    repository: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'owner/name'),
    branch: z.string().min(1).default('main'),
    /** Deploy only when the push touches one of these path prefixes (empty: any change). */
    paths: z.array(z.string().min(1)).default([]),
    /** A file in the repository whose trimmed content is the version; default: the head commit SHA. */
    manifest: z.string().min(1).optional(),
  }),
  /** The service owns the listener's default action and the header rules it creates: two services cannot share a listener. */
  listener: z.object({
    loadBalancerArn: z.string().min(1),
    listenerArn: z.string().min(1),
  }),
  launchTemplate: z.object({
    id: z.string().min(1),
    /** The artifact version reaches instances as this environment variable in user data, and as the version tag. */
    versionVariable: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).default('APP_VERSION'),
  }),
  subnets: z.array(z.string().min(1)).min(1),
  /** Capacity of the first release; later releases copy the live one. */
  capacity: z
    .object({ min: z.number().int().min(0), max: z.number().int().min(1), desired: z.number().int().min(1) })
    .refine((c) => c.min <= c.desired && c.desired <= c.max, 'need min <= desired <= max')
    .default({ min: 2, max: 4, desired: 2 }),
  /** Target group settings of the first release; later releases copy the live one. */
  targetGroup: z
    .object({
      protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
      port: z.number().int().min(1).max(65_535).default(80),
      vpcId: z.string().min(1),
      healthCheckPath: z.string().startsWith('/').default('/health'),
      healthCheckIntervalSeconds: z.number().int().min(5).max(300).default(10),
      healthyThreshold: z.number().int().min(2).max(10).default(2),
      unhealthyThreshold: z.number().int().min(2).max(10).default(2),
      deregistrationDelaySeconds: seconds.max(3600).default(30),
    }),
  strategy: strategy.default({ type: 'blue-green' }),
  /** The new release is polled until every desired target is healthy, at most 300 times, so one execution (this gate, and a rollback's restore gate) stays far inside the 25,000-event history of a workflow. */
  healthGate: z
    .object({ deadlineSeconds: seconds.min(30).max(3600).default(600), pollSeconds: seconds.min(1).max(300).default(15) })
    .refine(
      (g) => Math.ceil(g.deadlineSeconds / g.pollSeconds) <= MAX_HEALTH_POLLS,
      'deadlineSeconds / pollSeconds must be at most 300 polls: each poll adds 9 events to the execution history, whose quota is 25,000',
    )
    .default({ deadlineSeconds: 600, pollSeconds: 15 }),
  bake: z
    .object({
      seconds: seconds.default(300),
      alarms: z
        .object({
          http5xx: alarmSpec.optional(),
          unhealthyHosts: alarmSpec.optional(),
          latencyP99Ms: alarmSpec.optional(),
        })
        .default({
          http5xx: { threshold: 5, periods: 1, periodSeconds: 60 },
          unhealthyHosts: { threshold: 0, periods: 2, periodSeconds: 60 },
          latencyP99Ms: { threshold: 1000, periods: 3, periodSeconds: 60 },
        }),
    })
    .default({
      seconds: 300,
      alarms: {
        http5xx: { threshold: 5, periods: 1, periodSeconds: 60 },
        unhealthyHosts: { threshold: 0, periods: 2, periodSeconds: 60 },
        latencyP99Ms: { threshold: 1000, periods: 3, periodSeconds: 60 },
      },
    }),
  retention: z
    .object({
      /** What happens to the old release during the window: keep serving-ready, standby, or scale to zero. */
      mode: z.enum(['warm', 'standby', 'zero']).default('warm'),
      minutes: seconds.max(7 * 24 * 60).default(60),
      /** Old releases kept after the window, scaled to zero (a rollback to one scales it up first); older ones are deleted. */
      generations: z.number().int().min(0).max(3).default(0),
    })
    .default({ mode: 'warm', minutes: 60, generations: 0 }),
  /** Header canary: before any promotion, GET this URL (the load balancer) with `x-client-mode: green` and expect the new version. */
  smokeTest: z
    .object({
      url: z.string().url(),
      expectStatus: z.number().int().min(100).max(599).default(200),
      /** The JSON field of the answer that names the version (dots for nesting): the answer must name the release's version. */
      versionField: z.string().regex(/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/, 'a JSON field name, dots for nesting').optional(),
      /** Where the request is sent from: `step`, the step function, outside any VPC (an internet-facing load balancer); `vpc`, the stack's probe function in your VPC (an internal load balancer: deploy with the probeSubnetIds and probeSecurityGroupIds parameters). */
      from: z.enum(['step', 'vpc']).default('step'),
    })
    .optional(),
  /** Role assumed for this service's AWS calls (cross-account). */
  roleArn: z.string().startsWith('arn:').optional(),
  slack: z
    .object({
      channels: z.array(z.string().min(1)).default([]),
      /** Slack user IDs allowed to promote, roll back and abort. */
      users: z.array(z.string().min(1)).default([]),
      /** Slack user group IDs whose members may do the same. */
      groups: z.array(z.string().min(1)).default([]),
    })
    .default({ channels: [], users: [], groups: [] }),
  /** A push during a deployment: queue it for after (default) or abort the running one in its favour. */
  onPush: z.enum(['queue', 'supersede']).default('queue'),
});

export const configSchema = z
  .object({ services: z.array(serviceSchema).min(1) })
  .refine((c) => new Set(c.services.map((s) => s.name)).size === c.services.length, 'service names must be unique')
  .superRefine((c, ctx) => {
    // Each service writes its listener's default action: two on one listener would overwrite each other.
    c.services.forEach((service, i) => {
      const first = c.services.findIndex((other) => other.listener.listenerArn === service.listener.listenerArn);
      if (first === i) return;
      ctx.addIssue({
        code: 'custom',
        path: ['services', i, 'listener', 'listenerArn'],
        message: `the same listener as services[${first}].listener.listenerArn (service ${c.services[first]!.name}); a listener belongs to one service`,
      });
    });
  });

export type ServiceConfig = z.infer<typeof serviceSchema>;
export type Config = z.infer<typeof configSchema>;
export type StrategyConfig = ServiceConfig['strategy'];

/** Parses and validates; the error lists every problem once, with its field path. */
export function parseConfig(input: unknown): Config {
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  // Two checks of one field may fail with the same words (a period both too short and not a multiple of 60).
  const problems = new Set(result.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
  throw new ConfigInvalid(`invalid configuration: ${[...problems].join('; ')}`);
}

export function findService(config: Config, name: string): ServiceConfig {
  const service = config.services.find((s) => s.name === name);
  if (!service) throw new UnknownService(`unknown service "${name}"; configured: ${config.services.map((s) => s.name).join(', ')}`);
  return service;
}

/** What is wrong with services[index] asking for `smokeTest.from: 'vpc'` of a stack without the probe function. */
export function probeMissing(index: number): string {
  return `services[${index}].smokeTest.from: "vpc" needs the stack's probe function: deploy with the probeSubnetIds and probeSecurityGroupIds parameters`;
}

/**
 * The smoke tests that need the stack's probe function (`smokeTest.from: 'vpc'`)
 * when the stack has none, each named by its field; empty when the stack has
 * one or no test needs it. Checked when the stack is packaged.
 */
export function probeProblems(config: Config, stackHasProbe: boolean): string[] {
  if (stackHasProbe) return [];
  return config.services.flatMap((service, i) => (service.smokeTest?.from === 'vpc' ? [probeMissing(i)] : []));
}

function formatPath(path: PropertyKey[]): string {
  return path.reduce<string>((acc, key) => (typeof key === 'number' ? `${acc}[${key}]` : acc ? `${acc}.${String(key)}` : String(key)), '') || '(root)';
}
