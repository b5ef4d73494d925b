// Deletes the releases a rollback or abort took traffic from.
import { findService } from '../core/config.ts';
import type { StepDeps } from './deps.ts';
import { remove } from './release-lifecycle.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function cleanup(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  if (!state.remove?.length) return state;
  const listener = await aws.router.readListener(service.listener.listenerArn);
  for (const release of state.remove) await remove(aws, listener, release, service.launchTemplate.id);
  return withPhase({ ...state, remove: [] }, 'cleaned-up', deps.now());
}
