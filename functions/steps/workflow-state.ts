// The document the deployment workflow passes from step to step. Each step
// receives it whole and returns it updated; only identities and the listener
// this execution last wrote are carried: everything else is read from AWS.
import type { Hold } from '../core/holds.ts';
import type { DesiredListener, Phase, Release } from '../core/model.ts';
import type { NewRelease, RetentionMode } from '../core/plan.ts';
import type { SignalOutput, Trigger } from '../adapters/executions.ts';

export interface WorkflowState {
  service: string;
  version: string;
  trigger: Trigger;
  /** Health poll interval, for the workflow's Wait states. */
  pollSeconds?: number;
  startedAt?: number;
  /** The release this execution creates, as planned by `prepare`. */
  create?: NewRelease;
  /** The live release when this execution started (null: the first release). */
  base?: Release | null;
  /** The service's releases when this execution started (read from their tags). */
  releases?: Release[];
  /** The release this execution created, once its target group exists. */
  release?: Release;
  /** The listener as this execution last verified or wrote it (drift detection). */
  expected?: DesiredListener;
  phase?: Phase;
  /** The health gate of the new release, or of the release a rollback restores. */
  health?: { ready: boolean; detail: string; since: number; desired: number };
  hold?: Hold;
  /** Set by a resumed Hold: promote, rollback or abort, and by whom. */
  signal?: SignalOutput;
  /** RollBack: true once traffic is on the last good release. */
  rolledBack?: boolean;
  /** Releases `cleanup` puts into retention (standby or zero) once the listener write that took their traffic has propagated. */
  retain?: Array<{ release: Release; mode: RetentionMode }>;
  /** Releases `cleanup` deletes, likewise. */
  remove?: Release[];
  outcome?: 'succeeded' | 'rolled-back' | 'aborted' | 'failed';
  /** Set by a Catch: the error that sent the workflow to compensation. */
  error?: { Error: string; Cause: string };
  /** The deployment's Slack message, once posted. */
  slackMessage?: { channel: string; ts: string };
  /** Phase changes with their times (ms since epoch), for status, history and the rehearsal report. */
  timeline?: Array<{ phase: string; at: number }>;
}

export function executionNameOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}

export function withPhase(state: WorkflowState, phase: string, now: number): WorkflowState {
  return { ...state, timeline: [...(state.timeline ?? []), { phase, at: now }] };
}

/** A field an earlier step sets; its absence means the steps ran out of order. */
export function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null) throw new Error(`workflow state is missing "${field}": the step ran out of order`);
  return value;
}
