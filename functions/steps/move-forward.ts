// The steps that move traffic towards the new release: the first shift
// (header rules, first weight, or the whole default for blue/green), each
// weighted step, and promotion. Each ends by choosing the next hold.
import { findService } from '../core/config.ts';
import { holdAfter } from '../core/holds.ts';
import type { Command } from '../core/model.ts';
import type { StepDeps } from './deps.ts';
import { moveTraffic } from './traffic.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export const shiftTraffic = (deps: StepDeps, state: WorkflowState) => moveForward(deps, state, { type: 'shift' });
export const advance = (deps: StepDeps, state: WorkflowState) => moveForward(deps, state, { type: 'advance' });
export const promote = (deps: StepDeps, state: WorkflowState) => moveForward(deps, state, { type: 'promote' });

async function moveForward(deps: StepDeps, state: WorkflowState, command: Command): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  const { plan, writes, changes } = await moveTraffic(service, aws, state, command);
  const { phase } = plan.next;
  deps.logger.info('traffic moved', { command: command.type, phase, canaryWeight: plan.next.canaryWeight, changes });
  await deps.store.append(service.name, {
    kind: 'step',
    step: command.type,
    by: state.signal?.by ?? 'workflow',
    version: state.version,
    releaseNumber: state.release?.number,
    listenerChanges: writes,
  });
  const label = phase === 'canary' ? `canary ${plan.next.canaryWeight}%` : phase === 'promoted' ? 'promoted' : 'live';
  const { signal: _used, ...rest } = state;
  // The release this took traffic from goes into retention in `cleanup`, once the write has propagated.
  const retain = plan.retain.filter((r) => r.mode !== 'warm');
  return withPhase({ ...rest, expected: plan.listener, phase, hold: holdAfter(service, phase), retain, remove: [...(state.remove ?? []), ...plan.remove] }, label, deps.now());
}
