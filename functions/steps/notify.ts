// One Slack message per deployment, posted when it starts and updated at each
// phase: what is live, what is green, what the workflow does or waits for
// (with Promote / Roll back buttons while it waits), who did what. Slack is a
// courtesy: a failure to post is logged and never fails the deployment.
import { findService } from '../core/config.ts';
import { deploymentMessage, type DeploymentView } from '../lib/slack-message.ts';
import type { StepDeps } from './deps.ts';
import { executionNameOf, type WorkflowState } from './workflow-state.ts';

/** Steps after which the message changes. */
const NOTIFY_AFTER = new Set(['prepare', 'shiftTraffic', 'hold', 'promote', 'advance', 'rollBack', 'retire', 'compensate', 'finish', 'recordFailure']);

export async function notify(deps: StepDeps, step: string, state: WorkflowState, execution: string): Promise<WorkflowState> {
  const channel = findService(deps.config, state.service).slack.channels[0];
  if (!deps.slack || !channel || !NOTIFY_AFTER.has(step)) return state;
  try {
    const message = deploymentMessage(await view(deps, step, state, execution));
    if (state.slackMessage) {
      await deps.slack.updateMessage(state.slackMessage.channel, state.slackMessage.ts, message);
      return state;
    }
    const { ts } = await deps.slack.postMessage(channel, message);
    return { ...state, slackMessage: { channel, ts } };
  } catch (error) {
    deps.logger.warn('the Slack deployment message was not updated', { error });
    return state;
  }
}

async function view(deps: StepDeps, step: string, state: WorkflowState, execution: string): Promise<DeploymentView> {
  const { release, hold, health } = state;
  const done = step === 'finish' || step === 'recordFailure';
  return {
    service: state.service,
    ...(done ? {} : { executionName: executionNameOf(execution), version: state.version, trigger: state.trigger }),
    doing: state.timeline?.at(-1)?.phase ?? step,
    live: state.phase === 'promoted' && release ? { number: release.number, version: release.version } : state.base ? { number: state.base.number, version: state.base.version } : null,
    green: release && state.phase !== 'promoted' && !done ? { number: release.number, version: release.version, healthy: health?.ready ? health.desired : 0, desired: health?.desired ?? 0 } : null,
    wait:
      step === 'hold' && hold && hold.kind !== 'none' && release
        ? { kind: hold.kind, releaseNumber: release.number, expiresAt: new Date(deps.now() + hold.seconds * 1000).toISOString() }
        : null,
    history: await deps.store.history(state.service, 5),
  };
}
