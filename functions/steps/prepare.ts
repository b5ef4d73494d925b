// Reads where the service stands, plans the deploy (refusing invalid ones by
// name), and checks now that the traffic change will fit the ALB limits and
// that every rule priority it takes is free, so a refusal happens before
// anything is created.
import { findService } from '../core/config.ts';
import { diffListener } from '../core/diff.ts';
import { headerOf, ownedView } from '../core/listener.ts';
import { plan } from '../core/plan.ts';
import { checkLimits, checkPriorities } from '../core/quotas.ts';
import { deriveState } from '../core/state.ts';
import type { StepDeps } from './deps.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function prepare(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  const header = headerOf(service.strategy);
  const [listener, releases] = await Promise.all([aws.router.readListener(service.listener.listenerArn), aws.targetGroups.listReleases(service.name)]);
  const current = deriveState(service.name, listener, releases, header);
  const { create } = plan(service, current, { type: 'deploy', version: state.version });
  if (!create) throw new Error('a deploy plan always creates a release');

  // Dry-run the traffic shift with a stand-in release: its rules must fit.
  const standIn = { service: service.name, number: create.number, version: create.version, targetGroupArn: `pending/${create.targetGroupName}`, targetGroupName: create.targetGroupName, autoScalingGroupName: create.autoScalingGroupName };
  const shift = plan(service, { ...current, phase: 'provisioned', candidate: standIn }, { type: 'shift' });
  checkPriorities(shift.listener, listener, header);
  const writes = diffListener(listener, shift.listener, header);
  checkLimits(shift.listener, writes, writes.some((w) => w.kind === 'create-rule') ? await aws.router.countRules(service.listener.loadBalancerArn) : 0);

  const now = deps.now();
  return withPhase(
    { ...state, pollSeconds: service.healthGate.pollSeconds, startedAt: now, create, base: current.live, releases, expected: ownedView(listener, header), phase: current.phase },
    'prepared',
    now,
  );
}
