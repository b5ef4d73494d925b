// Figure 3, the cost of a deployment: release 2 deployed beside release 1 at a
// tiny time scale, so health checks, bake and retention take almost no real
// time. Our own time is what the step handlers take: from each task's call
// (the engine's beforeStep) to the state leaving or the attempt failing in
// the execution history. The hold is left out: it only waits (bake,
// promotion, retention) for its task token.
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { ApiCallCounts } from '../local/cloud/local-cloud.ts';
import { startStack, type Strategy } from './stack.ts';

export const USD_PER_STATE_TRANSITION = 0.025 / 1000;
export const PRICE_SOURCE =
  'AWS Step Functions pricing, Standard workflows, US East (N. Virginia): $0.025 per 1,000 state transitions (https://aws.amazon.com/step-functions/pricing/; the 4,000 free per month not counted)';
const WAITING_STEPS = new Set(['hold']);
const TASK_ENDS = new Set(['TaskStateExited', 'TaskFailed', 'TaskTimedOut']);

export interface DeploymentCostRow {
  strategy: Strategy;
  timeScale: number;
  wallMs: number;
  /** Step handlers' own time, hold excluded. */
  ownMs: number;
  /** Wall time minus our own time: health checks, bake, retention, instance boot, at this time scale. */
  configuredWaitsMs: number;
  taskAttempts: number;
  stateTransitions: number;
  priceUsd: number;
  apiCallsTotal: number;
  apiCalls: ApiCallCounts;
  slowestSteps: Array<{ step: string; ms: number }>;
}

export async function measureDeploymentCost(strategy: Strategy, timeScale: number): Promise<DeploymentCostRow> {
  const starts: Array<{ execution: string; step: string; at: number }> = [];
  const stack = await startStack({
    services: 1,
    strategy,
    timeScale,
    instanceMode: 'inline',
    beforeStep: (event) => void starts.push({ execution: event.execution, step: event.step, at: Date.now() }),
  });
  try {
    const first = await stack.engine.runtime.waitForExecution(await stack.deploy('shop', '1.0.0'));
    if (first.status !== 'SUCCEEDED') throw new Error(`release 1 failed: ${first.error} ${first.cause}`);
    stack.cloud.resetApiCalls();
    const arn = await stack.deploy('shop', '2.0.0');
    const done = await stack.engine.runtime.waitForExecution(arn);
    if (done.status !== 'SUCCEEDED') throw new Error(`release 2 (${strategy}) failed: ${done.error} ${done.cause}`);
    const apiCalls = stack.cloud.apiCalls();
    const history = stack.engine.runtime.getExecutionHistory({ executionArn: arn }).events ?? [];
    const tasks = taskTimes(starts.filter((s) => s.execution === arn), history, done.stopDate!.getTime());
    const own = tasks.filter((t) => !WAITING_STEPS.has(t.step));
    const ownMs = own.reduce((sum, t) => sum + t.ms, 0);
    const wallMs = done.stopDate!.getTime() - done.startDate!.getTime();
    const stateTransitions = stack.engine.runtime.countStateTransitions(arn);
    const perStep = new Map<string, number>();
    for (const t of own) perStep.set(t.step, (perStep.get(t.step) ?? 0) + t.ms);
    return {
      strategy,
      timeScale,
      wallMs,
      ownMs,
      configuredWaitsMs: wallMs - ownMs,
      taskAttempts: tasks.length,
      stateTransitions,
      priceUsd: stateTransitions * USD_PER_STATE_TRANSITION,
      apiCallsTotal: Object.values(apiCalls).reduce((sum, ops) => sum + Object.values(ops).reduce((a, b) => a + b, 0), 0),
      apiCalls,
      slowestSteps: [...perStep].map(([step, ms]) => ({ step, ms })).sort((a, b) => b.ms - a.ms).slice(0, 3),
    };
  } finally {
    await stack.stop();
  }
}

/**
 * Each task attempt: from its call to the first later end of a task in the
 * history. The runtime stamps an event when it records it, which can be a
 * millisecond ahead of the call's own clock read: an attempt with no later
 * end ran until the next attempt began, or until the execution stopped.
 */
function taskTimes(starts: ReadonlyArray<{ step: string; at: number }>, history: readonly HistoryEvent[], stoppedAt: number): Array<{ step: string; ms: number }> {
  const ends = history.filter((e) => TASK_ENDS.has(e.type ?? '')).map((e) => e.timestamp!.getTime());
  return starts.map(({ step, at }, i) => {
    const end = ends.find((t) => t >= at) ?? starts[i + 1]?.at ?? stoppedAt;
    return { step, ms: end - at };
  });
}
