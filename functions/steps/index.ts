// Every workflow task is one call of the step Lambda: `{ step, state,
// execution, token? }`. The dispatcher checks for an operator's abort between
// steps, tags the log with service, release and execution, and runs the step.
import { Aborted, BadRequest } from '../core/errors.ts';
import { armAlarms } from './arm-alarms.ts';
import { attachCandidate } from './attach-candidate.ts';
import { checkHealth } from './check-health.ts';
import { cleanup } from './cleanup.ts';
import { compensate } from './compensate.ts';
import { createFleet } from './create-fleet.ts';
import { createTargetGroup } from './create-target-group.ts';
import type { StepDeps } from './deps.ts';
import { finish, recordFailure } from './finish.ts';
import { hold } from './hold.ts';
import { notify } from './notify.ts';
import { advance, promote, shiftTraffic } from './move-forward.ts';
import { prepare } from './prepare.ts';
import { retire } from './retire.ts';
import { rollBack } from './roll-back.ts';
import { smokeTest } from './smoke-test.ts';
import { executionNameOf, type WorkflowState } from './workflow-state.ts';

export interface StepEvent {
  step: string;
  state: WorkflowState;
  /** `$$.Execution.Id`: the execution ARN. */
  execution: string;
  /** `$$.Task.Token`, for the hold. */
  token?: string;
}

type Step = (deps: StepDeps, state: WorkflowState, context: { execution: string; token?: string }) => Promise<WorkflowState>;

export const STEPS: Record<string, Step> = {
  prepare,
  createTargetGroup,
  createFleet,
  attachCandidate,
  checkHealth,
  armAlarms,
  shiftTraffic,
  smokeTest,
  hold,
  promote,
  advance,
  rollBack,
  cleanup,
  retire,
  compensate,
  finish,
  recordFailure,
};

/** Steps after which an operator's abort takes effect (the hold takes it as a signal instead). */
const ABORTABLE = new Set(['createTargetGroup', 'createFleet', 'attachCandidate', 'checkHealth', 'armAlarms', 'shiftTraffic', 'smokeTest', 'advance', 'promote']);

export function createStepRunner(deps: StepDeps) {
  return async (event: StepEvent): Promise<WorkflowState> => {
    const run = Object.hasOwn(STEPS, event.step) ? STEPS[event.step] : undefined;
    if (!run) throw new BadRequest(`unknown step "${event.step}"; known: ${Object.keys(STEPS).join(', ')}`);
    const { state, execution } = event;
    deps.logger.appendKeys({ deployment: { service: state.service, version: state.version, release: state.release?.number ?? state.create?.number, execution, step: event.step } });
    try {
      if (ABORTABLE.has(event.step) && (await deps.store.abortRequested(state.service, executionNameOf(execution)))) {
        throw new Aborted(`deployment of ${state.service} ${state.version} aborted by an operator before ${event.step}`);
      }
      const next = await run(deps, state, event.token ? { execution, token: event.token } : { execution });
      return await notify(deps, event.step, next, execution);
    } catch (error) {
      deps.logger.error('step failed', { error });
      throw error;
    }
  };
}
