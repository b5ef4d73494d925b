// `bluegreen status <service>`: where the service stands, read from AWS (the
// listener and the tagged releases, their health and alarms) and from the
// store (the running deployment, its open wait, the queued version).
import type { AlarmView } from '../../functions/adapters/alarms.ts';
import type { DeploymentStore, Wait, WaitAnswer } from '../../functions/adapters/store.ts';
import { ResourceNotFound } from '../../functions/core/errors.ts';
import type { ServiceConfig } from '../../functions/core/config.ts';
import { describeAction } from '../../functions/core/diff.ts';
import { healthVerdict, type HealthVerdict } from '../../functions/core/health.ts';
import { headerOf, ownedRules } from '../../functions/core/listener.ts';
import type { Action, HeaderRule, ListenerView, Phase, Release } from '../../functions/core/model.ts';
import { deriveState } from '../../functions/core/state.ts';
import type { ServiceAdapters } from '../../functions/steps/deps.ts';
import { executionNameOf } from '../../functions/steps/workflow-state.ts';
import { flag, type Command } from '../command.ts';
import { readProgress } from '../execution-progress.ts';
import { json, relative, table, text, time } from '../output.ts';
import { JSON_OPTION, STATE_MACHINE_OPTION, TABLE_OPTION, TARGET_OPTIONS } from '../options.ts';
import { openSession, type Session } from '../session.ts';

export type ReleaseRole = 'live' | 'candidate' | 'previous' | 'retained';

export interface ReleaseStatus {
  role: ReleaseRole;
  number: number;
  version: string;
  targetGroup: string;
  targetGroupArn: string;
  autoScalingGroup: string;
  /**
   * Its target group's weight in the listener's default forward, exactly as
   * ELBv2 holds it; 0: attached (health-checked, takes no traffic); null: not
   * referenced by the default action.
   */
  defaultWeight: number | null;
  /** Share of the listener's default traffic, in percent. */
  defaultTrafficPercent: number;
  /** Header rules of ours that send to this release, e.g. `x-client-mode: green`. */
  headerRoutes: string[];
  health: HealthVerdict;
  alarms: AlarmView[];
}

export interface DeploymentStatus {
  executionName: string;
  version: string;
  by: string;
  trigger: string;
  claimedAt: string;
  /** Null when no state machine is known (no --state-machine, STATE_MACHINE_ARN or --local). */
  execution: { status: string; currentState: string | null } | null;
  /** The wait this execution entered last; `answered` once promote / rollback / abort took it. */
  wait: { kind: string; releaseNumber: number; enteredAt: string; expiresAt: string; answered: WaitAnswer | null } | null;
  queued: { version: string; by: string; queuedAt: string } | null;
  abort: { by: string; reason: string; at: string } | null;
}

export interface StatusView {
  service: string;
  strategy: ServiceConfig['strategy']['type'];
  phase: Phase;
  canaryWeight: number;
  listener: { arn: string; defaultAction: Action; rules: HeaderRule[]; otherRules: number };
  releases: ReleaseStatus[];
  deployment: DeploymentStatus | null;
}

export const status: Command = {
  name: 'status',
  summary: 'what is live and green, traffic, health, alarms and the running deployment',
  description: [
    'Shows what is live and what is green (the candidate), the traffic each release takes (a release attached to the',
    'default action at weight 0 takes none: it is there so the load balancer health-checks it), the listener\'s',
    'default action with its weights and the header rules, the health of every release\'s target group, the state of',
    'its alarms, and the running deployment from the store: its execution and current state, the open wait',
    '(promotion, bake or retention) with its expiry, a requested abort and the queued version. Changes nothing.',
  ].join('\n'),
  args: [{ name: 'service', description: 'a configured service' }],
  options: { ...JSON_OPTION, ...TARGET_OPTIONS, ...TABLE_OPTION, ...STATE_MACHINE_OPTION },
  async run(line, io) {
    const session = openSession(line, io);
    const view = await readStatus(session, session.service(line.args.service!));
    io.stdout(flag(line, 'json') ? json(view) : renderStatus(view, Date.now()));
    return 0;
  },
};

export async function readStatus(session: Session, service: ServiceConfig): Promise<StatusView> {
  const store = session.store();
  const aws = session.aws().adapters(service);
  const header = headerOf(service.strategy);
  const [listener, releases] = await Promise.all([aws.router.readListener(service.listener.listenerArn), aws.targetGroups.listReleases(service.name)]);
  const state = deriveState(service.name, listener, releases, header);
  const roles: Array<[ReleaseRole, Release | null]> = [
    ['live', state.live],
    ['candidate', state.candidate],
    ['previous', state.previous],
    ...state.older.map((r): [ReleaseRole, Release] => ['retained', r]),
  ];
  const [releaseStatuses, deployment] = await Promise.all([
    Promise.all(roles.flatMap(([role, release]) => (release ? [releaseStatus(aws, listener, header, role, release)] : []))),
    deploymentStatus(session, store, service.name),
  ]);
  const owned = ownedRules(listener, header);
  return {
    service: service.name,
    strategy: service.strategy.type,
    phase: state.phase,
    canaryWeight: state.canaryWeight,
    listener: {
      arn: listener.listenerArn,
      defaultAction: listener.defaultAction,
      rules: owned.map(({ priority, header: h, values, action }) => ({ priority, header: h, values, action })),
      otherRules: listener.rules.length - owned.length,
    },
    releases: releaseStatuses,
    deployment,
  };
}

async function releaseStatus(aws: ServiceAdapters, listener: ListenerView, header: string, role: ReleaseRole, release: Release): Promise<ReleaseStatus> {
  const [targets, fleet, alarms] = await Promise.all([
    aws.targetGroups.health(release.targetGroupArn),
    aws.fleet.describe(release.autoScalingGroupName),
    aws.alarms.list(release.service, release.number),
  ]);
  return {
    role,
    number: release.number,
    version: release.version,
    targetGroup: release.targetGroupName,
    targetGroupArn: release.targetGroupArn,
    autoScalingGroup: release.autoScalingGroupName,
    defaultWeight: weightIn(listener.defaultAction, release.targetGroupArn),
    defaultTrafficPercent: sharePercent(listener.defaultAction, release.targetGroupArn),
    headerRoutes: ownedRules(listener, header)
      .filter((rule) => sharePercent(rule.action, release.targetGroupArn) > 0)
      .map((rule) => `${rule.header}: ${rule.values.join(',')}`),
    health: healthVerdict(targets, fleet?.capacity.desired ?? targets.length),
    alarms,
  };
}

/** The weight of a target group in a forward action; null when the action does not reference it. */
function weightIn(action: Action, targetGroupArn: string): number | null {
  if (action.type !== 'forward') return null;
  return action.targets.find((t) => t.targetGroupArn === targetGroupArn)?.weight ?? null;
}

function sharePercent(action: Action, targetGroupArn: string): number {
  if (action.type !== 'forward') return 0;
  const total = action.targets.reduce((sum, t) => sum + t.weight, 0);
  const mine = weightIn(action, targetGroupArn) ?? 0;
  return total > 0 ? Math.round((100 * mine) / total) : 0;
}

async function deploymentStatus(session: Session, store: DeploymentStore, service: string): Promise<DeploymentStatus | null> {
  const [active, wait] = await Promise.all([store.active(service), store.getWait(service)]);
  if (!active) return null;
  return {
    executionName: active.executionName,
    version: active.version,
    by: active.trigger.by,
    trigger: active.trigger.kind,
    claimedAt: active.claimedAt,
    execution: await executionStatus(session, active.executionName),
    wait: wait && executionNameOf(wait.executionArn) === active.executionName ? waitStatus(wait) : null,
    queued: active.queued ? { version: active.queued.version, by: active.queued.trigger.by, queuedAt: active.queued.queuedAt } : null,
    abort: active.abort,
  };
}

function waitStatus(wait: Wait): NonNullable<DeploymentStatus['wait']> {
  return { kind: wait.kind, releaseNumber: wait.releaseNumber, enteredAt: wait.enteredAt, expiresAt: wait.expiresAt, answered: wait.taken };
}

async function executionStatus(session: Session, executionName: string): Promise<DeploymentStatus['execution']> {
  const executions = session.optionalExecutions();
  if (!executions) return null;
  const arn = executions.arnOf(executionName);
  try {
    const [description, progress] = await Promise.all([executions.describe(arn), readProgress(session.aws().sfn, arn)]);
    return { status: description.status, currentState: progress.currentState };
  } catch (error) {
    if (error instanceof ResourceNotFound) return { status: 'NOT_STARTED', currentState: null };
    throw error;
  }
}

export function renderStatus(view: StatusView, now: number): string {
  const lines = [`${view.service}: ${view.strategy}, phase ${view.phase}${view.phase === 'canary' && view.canaryWeight > 0 ? ` (${view.canaryWeight}%)` : ''}`, ''];

  lines.push('releases');
  if (view.releases.length === 0) lines.push('  none');
  else {
    lines.push(
      ...table([
        ['RELEASE', 'ROLE', 'VERSION', 'TARGET GROUP', 'TRAFFIC', 'HEALTH'],
        ...view.releases.map((r) => [String(r.number), r.role, r.version, r.targetGroup, traffic(r), r.health.detail]),
      ]),
    );
  }

  lines.push('', `listener ${view.listener.arn}`);
  lines.push(
    ...table([
      ['default', '', `→ ${describeAction(view.listener.defaultAction)}`],
      ...view.listener.rules.map((r) => [`rule ${r.priority}`, `${r.header}: ${r.values.join(',')}`, `→ ${describeAction(r.action)}`]),
    ]),
  );
  if (view.listener.otherRules > 0) lines.push(`  and ${view.listener.otherRules} rule(s) bluegreen does not manage`);

  const alarms = view.releases.flatMap((r) => r.alarms);
  lines.push('', 'alarms');
  if (alarms.length === 0) lines.push('  none');
  else lines.push(...table(alarms.map((a) => [a.name, a.state, a.reason.length > 80 ? `${a.reason.slice(0, 77)}...` : a.reason])));

  lines.push('', 'deployment');
  lines.push(...(view.deployment ? renderDeployment(view.service, view.deployment, now) : ['  none running']));
  return text(lines);
}

/** Where a release takes traffic from; attached at weight 0 is said so, never shown as a share. */
function traffic(r: ReleaseStatus): string {
  const fromDefault = r.defaultWeight === null ? [] : r.defaultWeight > 0 ? [`default ${r.defaultTrafficPercent}%`] : ['default attached (weight 0)'];
  return [...fromDefault, ...r.headerRoutes].join(', ') || 'none';
}

function renderDeployment(service: string, d: DeploymentStatus, now: number): string[] {
  const execution = d.execution ? `${d.execution.status}${d.execution.currentState ? ` in ${d.execution.currentState}` : ''}` : 'status unknown: no state machine given';
  const rows = [
    ['execution', `${d.executionName} (${execution})`],
    ['version', `${d.version}, requested by ${d.by} (${d.trigger}) at ${time(d.claimedAt)}`],
    ['waiting', waitText(d.wait, now)],
  ];
  if (d.wait && !d.wait.answered) {
    const actions = d.wait.kind === 'retention' ? ['rollback'] : ['promote', 'rollback', 'abort'];
    rows.push(['answer', actions.map((a) => `bluegreen ${a} ${service}`).join(' | ')]);
  }
  if (d.abort) rows.push(['abort', `requested by ${d.abort.by} at ${time(d.abort.at)}: ${d.abort.reason}`]);
  if (d.queued) rows.push(['queued', `version ${d.queued.version} by ${d.queued.by} at ${time(d.queued.queuedAt)}`]);
  return table(rows);
}

function waitText(wait: DeploymentStatus['wait'], now: number): string {
  if (!wait) return 'no (working)';
  const what = `${wait.kind} of release ${wait.releaseNumber} since ${time(wait.enteredAt)}`;
  if (wait.answered) return `${what}: answered ${wait.answered.action} by ${wait.answered.by} at ${time(wait.answered.at)}`;
  return `${what}, until ${time(wait.expiresAt)} (${relative(wait.expiresAt, now)})`;
}
