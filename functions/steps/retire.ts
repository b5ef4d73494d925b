// After the retention window: old releases beyond the configured generations
// are deleted, the ones kept are scaled to zero. Reads the full list of
// releases from AWS, so leftovers of earlier deployments are retired too.
import { findService } from '../core/config.ts';
import type { StepDeps } from './deps.ts';
import { planningView } from '../core/state.ts';
import { applyListener, planFor } from './traffic.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function retire(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  const [listener, releases] = await Promise.all([aws.router.readListener(service.listener.listenerArn), aws.targetGroups.listReleases(service.name)]);
  const p = planFor(service, planningView(listener, state.expected), releases, { type: 'retire' });
  await applyListener(service, aws, listener, p, state.expected);
  deps.logger.info('retiring', { removed: p.remove.map((r) => r.number), kept: p.retain.map((r) => r.release.number) });
  // `cleanup` scales in and deletes, once the listener write has propagated.
  const next = { ...state, expected: p.listener, phase: p.next.phase, outcome: state.outcome ?? 'succeeded', retain: p.retain, remove: p.remove };
  return withPhase(next, 'retired', deps.now());
}
