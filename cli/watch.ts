// `deploy --watch`: follows one deployment until its execution ends, printing
// a line for each state it enters, each phase of its timeline, and each wait
// it opens. A queued deployment is followed from the queue. The exit code is
// 0 only when the deployment succeeded: a failure, a rollback or an abort is 1.
import { setTimeout as sleep } from 'node:timers/promises';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ExecutionDescription, Executions } from '../functions/adapters/executions.ts';
import type { DeploymentStore } from '../functions/adapters/store.ts';
import { ResourceNotFound } from '../functions/core/errors.ts';
import type { WorkflowState } from '../functions/steps/workflow-state.ts';
import { readProgress } from './execution-progress.ts';
import type { CliIo } from './io.ts';
import { clock, duration, time } from './output.ts';

export interface WatchDeps {
  store: Pick<DeploymentStore, 'active' | 'getWait'>;
  executions: Executions;
  sfn: SFNClient;
  io: CliIo;
  intervalMs: number;
}

export async function watchDeployment(deps: WatchDeps, service: string, executionName: string): Promise<number> {
  const { io, executions } = deps;
  const arn = executions.arnOf(executionName);
  const print = (at: number, what: string) => io.stdout(`  ${clock(at)}  ${what}\n`);
  let timelineShown = 0;
  let lastState: string | null = null;
  let lastWait = '';
  let queuedShown = false;

  const showTimeline = (state: WorkflowState | null) => {
    const timeline = state?.timeline ?? [];
    for (const entry of timeline.slice(timelineShown)) print(entry.at, entry.phase);
    timelineShown = Math.max(timelineShown, timeline.length);
  };

  io.stdout(`watching ${executionName} every ${deps.intervalMs / 1000}s (Ctrl-C stops watching, not the deployment)\n`);
  for (;;) {
    const execution = await describeIfStarted(executions, arn);
    if (!execution) {
      const active = await deps.store.active(service);
      if (active?.queued?.executionName === executionName) {
        if (!queuedShown) print(Date.now(), `queued behind ${active.executionName} (version ${active.version})`);
        queuedShown = true;
      } else if (active?.executionName !== executionName) {
        io.stdout(`${executionName} left the queue without starting: a newer version replaced it, or it could not start (see bluegreen history ${service})\n`);
        return 1;
      }
    } else {
      const progress = await readProgress(deps.sfn, arn);
      showTimeline(progress.state);
      if (progress.currentState && progress.currentState !== lastState) print(Date.now(), `→ ${progress.currentState}`);
      lastState = progress.currentState ?? lastState;
      const wait = await deps.store.getWait(service);
      const waitKey = wait?.executionArn === arn && !wait.taken ? `${wait.kind}/${wait.releaseNumber}/${wait.enteredAt}` : '';
      if (wait && waitKey && waitKey !== lastWait) {
        print(Date.parse(wait.enteredAt), `waiting: ${wait.kind} of release ${wait.releaseNumber} until ${time(wait.expiresAt)}${wait.kind === 'promotion' ? ` (bluegreen promote ${service} | rollback ${service})` : ''}`);
      }
      lastWait = waitKey;
      if (execution.status !== 'RUNNING') {
        showTimeline((execution.output as WorkflowState | undefined) ?? null);
        return ended(io, execution);
      }
    }
    await sleep(deps.intervalMs);
  }
}

async function describeIfStarted(executions: Executions, arn: string): Promise<ExecutionDescription | null> {
  try {
    return await executions.describe(arn);
  } catch (error) {
    if (error instanceof ResourceNotFound) return null;
    throw error;
  }
}

function ended(io: CliIo, execution: ExecutionDescription): number {
  const outcome = (execution.output as WorkflowState | undefined)?.outcome;
  const took = execution.stopDate ? `, after ${duration(execution.stopDate.getTime() - execution.startDate.getTime())}` : '';
  const why = execution.error ? `: ${execution.error}${execution.cause ? `: ${execution.cause}` : ''}` : '';
  io.stdout(`${execution.name} ${execution.status}${outcome ? ` (outcome ${outcome})` : ''}${took}${why}\n`);
  return execution.status === 'SUCCEEDED' && (outcome === undefined || outcome === 'succeeded') ? 0 : 1;
}
