// After a failure: undo only what this execution did (the decision is
// functions/core/compensation.ts). Traffic goes back to the last good release
// and the release is deleted, from any listener a step left half-way; a
// release already promoted is left serving (a later failure, in retirement
// say, is no reason to roll back a healthy release). A listener changed by
// hand is left as it is: only what nothing routes to is removed, and the
// execution ends with DriftDetected naming the change.
import { planCompensation } from '../core/compensation.ts';
import { findService } from '../core/config.ts';
import { driftSummary } from '../core/diff.ts';
import { headerOf, ownedView, referencedTargetGroups } from '../core/listener.ts';
import type { StepDeps } from './deps.ts';
import { writeListener } from './traffic.ts';
import { withPhase, type WorkflowState } from './workflow-state.ts';

export async function compensate(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const number = state.create?.number;
  if (number === undefined) return state; // failed before creating anything
  const service = findService(deps.config, state.service);
  const aws = deps.adapters(service);
  const [listener, releases] = await Promise.all([aws.router.readListener(service.listener.listenerArn), aws.targetGroups.listReleases(service.name)]);
  const expected = state.expected ?? ownedView(listener, headerOf(service.strategy));
  const decision = planCompensation(service, listener, expected, releases, number);

  const changes = decision.listener ? (await writeListener(service, aws, listener, decision.listener, decision.accepted)).changes : [];
  // The target group never became a release: remove what may exist by name.
  if (!decision.remove && !releases.some((r) => r.number === number)) await aws.fleet.delete(state.create!.autoScalingGroupName);
  deps.logger.warn('compensated', { release: number, error: state.error, changes, removed: decision.remove?.number, drift: decision.drift });

  // A release nothing routes to is deleted by `cleanup`, once the write has propagated.
  // A leftover Prepare found (state.remove) goes too, once nothing routes to it.
  const routed = referencedTargetGroups(decision.listener ?? listener);
  const leftovers = (state.remove ?? []).filter((r) => !routed.has(r.targetGroupArn));
  const failed = { ...state, outcome: 'failed' as const, remove: [...leftovers, ...(decision.remove ? [decision.remove] : [])] };
  if (decision.drift.length === 0) return withPhase(failed, 'compensated', deps.now());
  const kept = decision.remove ? `release ${number} removed (nothing routes to it)` : `release ${number} kept (the listener routes to it)`;
  const cause = `${driftSummary(listener, decision.drift)}. Left as it is; ${kept}, compensating ${state.error?.Error ?? 'a failure'}: ${state.error?.Cause ?? ''}`;
  return withPhase({ ...failed, error: { Error: 'DriftDetected', Cause: cause.slice(0, 32_000) } }, 'compensated', deps.now());
}
