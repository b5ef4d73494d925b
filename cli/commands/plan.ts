// `bluegreen plan <service> --version V`: what a deploy would create and the
// exact listener writes of each phase (attach at weight 0, shift, …), from
// the same core the workflow runs (deriveState, plan, diffListener,
// describeWrite, checkLimits). Reads AWS, writes nothing.
import type { TargetGroupSettings } from '../../functions/adapters/target-groups.ts';
import { alarmSpecs } from '../../functions/core/alarms.ts';
import type { ServiceConfig } from '../../functions/core/config.ts';
import { headerOf } from '../../functions/core/listener.ts';
import type { Capacity, Phase, Release } from '../../functions/core/model.ts';
import { plan } from '../../functions/core/plan.ts';
import { ALB_LIMITS } from '../../functions/core/quotas.ts';
import { deriveState } from '../../functions/core/state.ts';
import { defaultSettings } from '../../functions/steps/create-target-group.ts';
import type { ServiceAdapters } from '../../functions/steps/deps.ts';
import { flag, requiredValue, type Command } from '../command.ts';
import { previewDeployment, type PhasePreview, type RollbackPreview } from '../deployment-preview.ts';
import { duration, json, table, text } from '../output.ts';
import { JSON_OPTION, TARGET_OPTIONS } from '../options.ts';
import { openSession } from '../session.ts';

interface ReleaseRef {
  number: number;
  version: string;
  targetGroup: string;
}

export interface PlanView {
  service: string;
  strategy: ServiceConfig['strategy']['type'];
  version: string;
  current: { phase: Phase; live: ReleaseRef | null; previous: ReleaseRef | null };
  create: {
    release: number;
    version: string;
    targetGroup: string;
    autoScalingGroup: string;
    /** The release whose settings and capacity are copied; null: the configured defaults. */
    copiedFrom: ReleaseRef | null;
    targetGroupSettings: TargetGroupSettings;
    capacity: Capacity;
    subnets: string[];
    launchTemplate: { id: string; variable: string };
    alarms: string[];
    healthGate: { deadlineSeconds: number; pollSeconds: number };
  };
  phases: PhasePreview[];
  quota: { rulesOnLoadBalancer: number; limit: number; maxAddedRules: number };
}

export const planCommand: Command = {
  name: 'plan',
  summary: 'what a deploy would create and write, phase by phase; changes nothing',
  description: [
    'Shows what deploying VERSION would do now: the release it creates (number, names, the target group settings',
    'and capacity it copies from the live release, or the configured defaults for a first release), then the exact',
    'listener writes of each phase (attach at weight 0 for health checks, shift, each weighted step, promote), what',
    'the workflow waits for after each (the health gate after attach) and what a rollback from each phase would',
    'write. Checks the ALB limits at every phase. Reads AWS only.',
  ].join('\n'),
  args: [{ name: 'service', description: 'a configured service' }],
  options: {
    version: { type: 'string', value: 'V', description: 'the version to plan for (required)' },
    ...JSON_OPTION,
    ...TARGET_OPTIONS,
  },
  async run(line, io) {
    const version = requiredValue(line, 'version');
    const session = openSession(line, io);
    const service = session.service(line.args.service!);
    const view = await readPlan(session.aws().adapters(service), service, version);
    io.stdout(flag(line, 'json') ? json(view) : renderPlan(view));
    return 0;
  },
};

async function readPlan(aws: ServiceAdapters, service: ServiceConfig, version: string): Promise<PlanView> {
  const [listener, releases, rulesOnLoadBalancer] = await Promise.all([
    aws.router.readListener(service.listener.listenerArn),
    aws.targetGroups.listReleases(service.name),
    aws.router.countRules(service.listener.loadBalancerArn),
  ]);
  const current = deriveState(service.name, listener, releases, headerOf(service.strategy));
  const { create } = plan(service, current, { type: 'deploy', version });
  if (!create) throw new Error('a deploy plan always creates a release');
  const source = create.copyFrom;
  const [settings, fleet] = await Promise.all([
    source ? aws.targetGroups.readSettings(source.targetGroupArn) : defaultSettings(service),
    source ? aws.fleet.describe(source.autoScalingGroupName) : null,
  ]);
  const candidate: Release = {
    service: service.name,
    number: create.number,
    version,
    targetGroupArn: `(planned):targetgroup/${create.targetGroupName}`,
    targetGroupName: create.targetGroupName,
    autoScalingGroupName: create.autoScalingGroupName,
  };
  const preview = previewDeployment(service, listener, current, candidate, rulesOnLoadBalancer);
  return {
    service: service.name,
    strategy: service.strategy.type,
    version,
    current: { phase: current.phase, live: ref(current.live), previous: ref(current.previous) },
    create: {
      release: create.number,
      version,
      targetGroup: create.targetGroupName,
      autoScalingGroup: create.autoScalingGroupName,
      copiedFrom: ref(source),
      targetGroupSettings: settings,
      capacity: fleet ? fleet.capacity : service.capacity,
      subnets: fleet?.subnets.length ? fleet.subnets : service.subnets,
      launchTemplate: { id: service.launchTemplate.id, variable: service.launchTemplate.versionVariable },
      alarms: alarmSpecs(service, candidate, service.listener.loadBalancerArn).map((a) => a.name),
      healthGate: service.healthGate,
    },
    phases: preview.phases,
    quota: { rulesOnLoadBalancer, limit: ALB_LIMITS.rulesPerLoadBalancer, maxAddedRules: preview.maxAddedRules },
  };
}

function ref(release: Release | null): ReleaseRef | null {
  return release ? { number: release.number, version: release.version, targetGroup: release.targetGroupName } : null;
}

function renderPlan(view: PlanView): string {
  const { create } = view;
  const live = view.current.live;
  const s = create.targetGroupSettings;
  const copied = create.copiedFrom ? `copied from release ${create.copiedFrom.number}` : 'configured defaults (first release)';
  const lines = [
    `plan: deploy ${view.service} version ${view.version} (${view.strategy})`,
    `now: phase ${view.current.phase}, ${live ? `release ${live.number} (version ${live.version}) live on ${live.targetGroup}` : 'no release live'}`,
    '',
    `create release ${create.release}`,
    ...table([
      ['target group', `${create.targetGroup}: ${s.protocol}:${s.port} in ${s.vpcId}, health ${s.healthCheck.protocol} ${s.healthCheck.path} every ${s.healthCheck.intervalSeconds}s (healthy ${s.healthCheck.healthyThreshold}, unhealthy ${s.healthCheck.unhealthyThreshold}, codes ${s.healthCheck.matcher}), ${copied}`],
      ['attributes', Object.entries(s.attributes).map(([k, v]) => `${k}=${v}`).join(', ') || 'none'],
      ['auto scaling group', `${create.autoScalingGroup}: min ${create.capacity.min}, desired ${create.capacity.desired}, max ${create.capacity.max} in ${create.subnets.join(', ')}, ${copied}`],
      ['launch template', `${create.launchTemplate.id}: a new version with ${create.launchTemplate.variable}=${create.version}`],
      ['alarms', create.alarms.join(', ') || 'none'],
      ['health gate', `every desired target healthy within ${create.healthGate.deadlineSeconds}s, polled every ${create.healthGate.pollSeconds}s`],
    ]),
    '',
    'listener changes',
  ];
  view.phases.forEach((phase, i) => lines.push(...renderPhase(i + 1, phase)));
  lines.push(
    '',
    `quota: ${view.quota.rulesOnLoadBalancer} rule(s) on the load balancer (limit ${view.quota.limit}); this deployment adds at most ${view.quota.maxAddedRules}`,
    'nothing was changed',
  );
  return text(lines);
}

function renderPhase(n: number, phase: PhasePreview): string[] {
  const reached = phase.phase === 'canary' && phase.canaryWeight > 0 ? `canary ${phase.canaryWeight}%` : phase.phase;
  return [
    `  ${n}. ${phase.command} → ${reached}`,
    ...changes(phase.changes, '       '),
    `     then: ${holdText(phase)}`,
    ...(phase.rollback ? [`     a rollback from here writes:`, ...rollbackText(phase.rollback)] : []),
  ];
}

function changes(list: string[], indent: string): string[] {
  return list.length > 0 ? list.map((c) => `${indent}${c}`) : [`${indent}(no listener change)`];
}

function holdText(phase: PhasePreview): string {
  const { hold } = phase;
  const length = duration(hold.seconds * 1000);
  switch (hold.kind) {
    case 'health':
      return `health-check it at weight 0 until every desired target is healthy (up to ${length}, else it is removed)`;
    case 'promotion':
      return `wait up to ${length} for promote or rollback (on timeout: ${hold.onTimeout})`;
    case 'bake':
      return `bake ${length} with alarms armed (then: ${hold.onTimeout})`;
    case 'retention':
      return `keep the old release ${length} for a fast rollback, then retire it`;
    case 'none':
      return 'done';
  }
}

function rollbackText(rollback: RollbackPreview): string[] {
  return [
    ...(rollback.restore.length > 0 ? [`       (first restore release ${rollback.restore.join(', ')} to serve)`] : []),
    ...changes(rollback.changes, '       '),
    ...(rollback.remove.length > 0 ? [`       then delete release ${rollback.remove.join(', ')}`] : []),
  ];
}
