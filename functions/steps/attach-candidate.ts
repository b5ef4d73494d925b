// Attaches the new release to the listener at weight 0: it takes no traffic,
// but an ALB health-checks only target groups a listener references, so this
// is what lets the health gate see it.
import { findService } from '../core/config.ts';
import type { StepDeps } from './deps.ts';
import { moveTraffic } from './traffic.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function attachCandidate(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const { plan } = await moveTraffic(service, deps.adapters(service), state, { type: 'attach' });
  return withPhase({ ...state, expected: plan.listener }, 'attached', deps.now());
}
