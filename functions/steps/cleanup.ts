// What a listener write took traffic from, once the change has propagated
// (the workflow waits before this step): releases put into retention
// (standby or scaled to zero) and releases deleted. Every step that moves
// traffic leaves them in `retain` and `remove`.
import { findService } from '../core/config.ts';
import type { StepDeps } from './deps.ts';
import { remove, retain } from './release-lifecycle.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function cleanup(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  for (const { release, mode } of state.retain ?? []) await retain(aws, release, mode);
  if (!state.remove?.length) return { ...state, retain: [] };
  const listener = await aws.router.readListener(service.listener.listenerArn);
  for (const release of state.remove) await remove(aws, listener, release, service.launchTemplate.id);
  return withPhase({ ...state, retain: [], remove: [] }, 'cleaned-up', deps.now());
}
