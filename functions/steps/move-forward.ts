// The steps that move traffic towards the new release: the first shift
// (header rules, first weight, or the whole default for blue/green), each
// weighted step, and promotion. Each ends by choosing the next hold.
// Advance and promote first read the release's alarms: while one is in ALARM
// they move nothing, record why, and hand the workflow the alarm's rollback.
import { alarmRollback } from '../core/alarms.ts';
import { findService, type ServiceConfig } from '../core/config.ts';
import { holdAfter } from '../core/holds.ts';
import type { AlarmView, Command } from '../core/model.ts';
import { readFiringAlarm } from './arm-alarms.ts';
import type { StepDeps } from './deps.ts';
import { moveTraffic } from './traffic.ts';
import { required, withPhase, type WorkflowState } from './workflow-state.ts';

export const shiftTraffic = (deps: StepDeps, state: WorkflowState) => moveForward(deps, state, { type: 'shift' });
export const advance = (deps: StepDeps, state: WorkflowState) => moveForward(deps, state, { type: 'advance' });
export const promote = (deps: StepDeps, state: WorkflowState) => moveForward(deps, state, { type: 'promote' });

async function moveForward(deps: StepDeps, state: WorkflowState, command: Command): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  if (command.type === 'advance' || command.type === 'promote') {
    const alarm = await readFiringAlarm(deps, service, required(state.release, 'release'));
    if (alarm) return refuse(deps, service, state, command.type, alarm);
  }
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

/**
 * A release whose alarm is in ALARM is never advanced or promoted, whoever
 * asked (a hold that elapsed, an operator): the refusal goes to the history
 * under the asker's name, and the state carries the alarm's rollback as its
 * `signal`, which sends the workflow to RollBack.
 */
async function refuse(deps: StepDeps, service: ServiceConfig, state: WorkflowState, step: 'advance' | 'promote', alarm: AlarmView): Promise<WorkflowState> {
  const rollback = alarmRollback(alarm, `before ${step}`);
  const asked = state.signal?.by ?? 'workflow';
  deps.logger.warn(`${step} refused: an alarm of the release is in ALARM`, { alarm: alarm.name, asked });
  await deps.store.append(service.name, {
    kind: 'step',
    step: `${step}-refused`,
    by: asked,
    reason: rollback.reason,
    version: state.version,
    releaseNumber: state.release?.number,
  });
  return { ...state, signal: rollback };
}
