// One poll of the health gate: every desired target of the new release must
// report healthy itself (the ALB's fail-open routing proves nothing), before
// the progress deadline.
import { findService } from '../core/config.ts';
import { assertWithinDeadline, healthVerdict } from '../core/health.ts';
import type { StepDeps } from './deps.ts';
import { required, withPhase, type WorkflowState } from './workflow-state.ts';

export async function checkHealth(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const release = required(state.release, 'release');
  const health = required(state.health, 'health');
  const verdict = healthVerdict(await deps.adapters(service).targetGroups.health(release.targetGroupArn), health.desired);
  const now = deps.now();
  assertWithinDeadline(verdict, health.since, now, service.healthGate.deadlineSeconds, `release ${release.number} (version ${release.version})`);
  const next = { ...state, health: { ...health, ready: verdict.ready, detail: verdict.detail } };
  return verdict.ready ? withPhase(next, 'healthy', now) : next;
}
