// Reads where the service stands, plans the deploy (refusing invalid ones by
// name), and checks now that the traffic change will fit the ALB limits and
// that every rule priority it takes is free, so a refusal happens before
// anything is created.
import { findService } from '../core/config.ts';
import { diffListener } from '../core/diff.ts';
import { headerOf, ownedView } from '../core/listener.ts';
import { autoScalingGroupName, targetGroupName } from '../core/names.ts';
import { plan } from '../core/plan.ts';
import { checkLimits, checkPriorities } from '../core/quotas.ts';
import { deriveState, standingForDeploy } from '../core/state.ts';
import type { StepDeps } from './deps.ts';
import { executionNameOf, withPhase, type WorkflowState } from './workflow-state.ts';

export async function prepare(deps: StepDeps, state: WorkflowState, context: { execution: string }): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  const header = headerOf(service.strategy);
  const [listener, releases] = await Promise.all([aws.router.readListener(service.listener.listenerArn), aws.targetGroups.listReleases(service.name)]);
  const { state: current, leftover } = standingForDeploy(deriveState(service.name, listener, releases, header));
  if (leftover) deps.logger.warn('leftover release', { leftover: leftover.number, version: leftover.version, reason: 'no deployment drives it; removed once this one takes it off the listener' });
  const planned = plan(service, current, { type: 'deploy', version: state.version }).create;
  if (!planned) throw new Error('a deploy plan always creates a release');

  // Dry-run the traffic shift with a stand-in release: its rules must fit.
  const standIn = { service: service.name, number: planned.number, version: planned.version, targetGroupArn: `pending/${planned.targetGroupName}`, targetGroupName: planned.targetGroupName, autoScalingGroupName: planned.autoScalingGroupName };
  const shift = plan(service, { ...current, phase: 'provisioned', candidate: standIn }, { type: 'shift' });
  checkPriorities(shift.listener, listener, header);
  const writes = diffListener(listener, shift.listener, header);
  checkLimits(shift.listener, writes, writes.some((w) => w.kind === 'create-rule') ? await aws.router.countRules(service.listener.loadBalancerArn) : 0);

  // The plan numbers above what exists; a deleted release (its Auto Scaling
  // group may still be deleting) exists no more, so the store's counter,
  // which never goes back, gives the number.
  const atLeast = Math.max(planned.number, (leftover?.number ?? 0) + 1);
  const number = await deps.store.nextReleaseNumber(service.name, { executionName: executionNameOf(context.execution), atLeast });
  const create = { ...planned, number, targetGroupName: targetGroupName(service.name, number), autoScalingGroupName: autoScalingGroupName(service.name, number) };

  const now = deps.now();
  return withPhase(
    {
      ...state,
      pollSeconds: service.healthGate.pollSeconds,
      startedAt: now,
      create,
      base: current.live,
      releases,
      expected: ownedView(listener, header),
      phase: current.phase,
      // Removed by the first cleanup, after the traffic shift (or compensation) has taken it off the listener.
      remove: leftover ? [leftover] : [],
    },
    'prepared',
    now,
  );
}
