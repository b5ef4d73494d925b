// The end of every execution: history, the lock, and the next push. A push
// that arrived while this deployment ran was queued; it starts now.
import { startNext } from '../lib/dispatch.ts';
import type { StepDeps } from './deps.ts';
import type { WorkflowState } from './workflow-state.ts';
import { executionNameOf, withPhase } from './workflow-state.ts';

export async function finish(deps: StepDeps, state: WorkflowState, context: { execution: string }): Promise<WorkflowState> {
  const outcome = state.outcome ?? 'succeeded';
  return end(deps, { ...state, outcome }, context.execution);
}

export async function recordFailure(deps: StepDeps, state: WorkflowState, context: { execution: string }): Promise<WorkflowState> {
  // An operator's abort between steps arrives here as the Aborted error: it is an abort, not a failure.
  return end(deps, { ...state, outcome: state.error?.Error === 'Aborted' ? 'aborted' : 'failed' }, context.execution);
}

async function end(deps: StepDeps, state: WorkflowState, executionArn: string): Promise<WorkflowState> {
  const now = deps.now();
  const outcome = state.outcome ?? 'failed';
  const executionName = executionNameOf(executionArn);
  await deps.store.append(state.service, {
    kind: 'finished',
    by: state.trigger.by,
    executionName,
    version: state.version,
    releaseNumber: state.release?.number,
    outcome,
    reason: state.error ? `${state.error.Error}: ${state.error.Cause}` : undefined,
    durationMs: state.startedAt ? now - state.startedAt : undefined,
  });
  const next = await startNext({ store: deps.store, executions: deps.executions, now: () => new Date(deps.now()) }, state.service, executionName);
  if (next) deps.logger.info('next deployment', { ...next });
  return withPhase(state, outcome, now);
}
