// After a failure: undo only what this execution did. If its release takes
// canary traffic or none, traffic goes back to the last good release and the
// release is deleted. A release already promoted is left serving (a later
// failure, in retirement say, is no reason to roll back a healthy release).
import { findService } from '../core/config.ts';
import { headerOf } from '../core/listener.ts';
import { plan } from '../core/plan.ts';
import { deriveState } from '../core/state.ts';
import type { StepDeps } from './deps.ts';
import { remove } from './release-lifecycle.ts';
import { applyListener } from './traffic.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function compensate(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const number = state.create?.number;
  if (number === undefined) return state; // failed before creating anything
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  const [listener, releases] = await Promise.all([aws.router.readListener(service.listener.listenerArn), aws.targetGroups.listReleases(service.name)]);
  const current = deriveState(service.name, listener, releases, headerOf(service.strategy));
  const mine = releases.find((r) => r.number === number);

  if (current.candidate?.number === number) {
    const { after } = await applyListener(service, aws, listener, plan(service, current, { type: 'abort' }), undefined);
    await remove(aws, after, current.candidate, service.launchTemplate.id);
  } else if (mine && current.live?.number !== number) {
    await remove(aws, listener, mine, service.launchTemplate.id);
  } else if (!mine) {
    // The target group never became a release: remove what may exist by name.
    await aws.fleet.delete(state.create!.autoScalingGroupName);
  }
  deps.logger.warn('compensated', { release: number, error: state.error });
  return withPhase({ ...state, outcome: 'failed' }, 'compensated', deps.now());
}
