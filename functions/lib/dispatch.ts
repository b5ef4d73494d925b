// How a request reaches the workflow, whoever makes it.
// - `startOrQueue`: a new version (webhook, CLI `deploy`): claim the service's
//   lock and start the execution, or queue the version behind the running one.
// - `startNext`: the workflow's last step: release the lock, start what was queued.
// - `signal`: promote / roll back / abort (Slack, CLI, alarm): answer the open
//   wait of the workflow, exactly once, or record an abort request.
// - `signalAlarm`: the rollback an alarm in ALARM asks for, through `signal`.
import { randomBytes } from 'node:crypto';
import { alarmRollback, WAITS_AN_ALARM_ENDS } from '../core/alarms.ts';
import { executionName as nameFor, isStaleLock, noOpenWait, refuseUnexpected } from '../core/dispatch-rules.ts';
import { ConcurrentUpdate, NotFound, ResourceNotFound, TaskTokenRejected } from '../core/errors.ts';
import type { AlarmView } from '../core/model.ts';
import type { Executions, SignalAction, Trigger } from '../adapters/executions.ts';
import { answeredBy, type ActiveDeployment, type DeploymentRequest, type DeploymentStore, type Outcome, type Wait, type WaitKind } from '../adapters/store.ts';

export { STALE_LOCK_MS } from '../core/dispatch-rules.ts';

export interface DispatchDeps {
  store: DeploymentStore;
  executions: Executions;
  now?: () => Date;
}

export type DispatchResult =
  | { status: 'started'; executionName: string; executionArn: string }
  | { status: 'queued'; executionName: string };

export interface SignalRequest {
  action: SignalAction;
  /** `slack:<user id>`, `cli:<user>`, `alarm:<alarm name>` */
  by: string;
  reason: string;
  /** Act only on a wait of these kinds, or of this release (alarms, buttons of an older message). */
  expect?: { kinds?: WaitKind[]; releaseNumber?: number };
}

export type SignalResult = { outcome: 'signalled'; action: SignalAction; wait: Wait } | { outcome: 'abort-requested'; active: ActiveDeployment };

/**
 * The execution's name for a request: the same delivery always gets the same
 * name, so Step Functions starts it once. Without a delivery id (a CLI run
 * that gave none) the suffix is random.
 */
export function executionName(service: string, version: string, trigger: Trigger): string {
  return nameFor(service, version, trigger.deliveryId || randomBytes(6).toString('hex'));
}

/**
 * Starts the deployment, or queues it behind the running one. With
 * `supersede` (the service's `onPush: supersede`), a queued version also asks
 * the running deployment to abort in its favour.
 */
export async function startOrQueue(
  deps: DispatchDeps,
  service: string,
  version: string,
  trigger: Trigger,
  options: { supersede?: boolean } = {},
): Promise<DispatchResult> {
  const request: DeploymentRequest = { executionName: executionName(service, version, trigger), version, trigger };
  if ((await deps.store.claim(service, request)) === 'claimed') return startClaimed(deps, service, request);
  const recovered = await takeOverStaleLock(deps, service);
  if (recovered?.executionName === request.executionName) return recovered;
  if (options.supersede) await abortInFavourOf(deps, service, request);
  return { status: 'queued', executionName: request.executionName };
}

/**
 * Releases the lock of a finished execution and starts the queued version, if
 * any. The caller records the outcome in the history; repeating the call after
 * a handover starts (idempotently) the same next execution.
 */
export async function startNext(deps: DispatchDeps, service: string, finished: string): Promise<DispatchResult | null> {
  const { next } = await deps.store.finish(service, finished);
  return next ? startClaimed(deps, service, next) : null;
}

export async function signal(deps: DispatchDeps, service: string, request: SignalRequest): Promise<SignalResult> {
  const wait = await deps.store.getWait(service);
  if (!wait || wait.taken) return withoutWait(deps, service, request, wait);
  refuseUnexpected(service, wait, request);
  const { action, by, reason } = request;
  const taken = await deps.store.takeWait(service, { by, action, expectedToken: wait.token });
  try {
    await deps.executions.sendSuccess(taken.token, { action, by, reason });
  } catch (error) {
    // A dead token stays taken; any other failure gives the wait back for a retry.
    if (!(error instanceof TaskTokenRejected)) await deps.store.releaseWait(service, taken.token, by);
    throw error;
  }
  await deps.store.append(service, {
    kind: 'signal',
    by,
    action,
    reason,
    executionName: nameOf(taken.executionArn),
    releaseNumber: taken.releaseNumber,
  });
  return { outcome: 'signalled', action, wait: taken };
}

/**
 * Answers the open wait of release `releaseNumber` (any hold) with the
 * rollback an alarm of that release in ALARM asks for, exactly once: for the
 * alarm function, which received the state change, and for the hold, which
 * read the state as its wait opened (`seen` says so in the reason).
 */
export function signalAlarm(
  deps: DispatchDeps,
  service: string,
  releaseNumber: number,
  alarm: Pick<AlarmView, 'name' | 'reason'>,
  seen?: string,
): Promise<SignalResult> {
  return signal(deps, service, { ...alarmRollback(alarm, seen), expect: { kinds: [...WAITS_AN_ALARM_ENDS], releaseNumber } });
}

async function startClaimed(deps: DispatchDeps, service: string, request: DeploymentRequest): Promise<DispatchResult> {
  const { executionName: name, version, trigger } = request;
  try {
    const { executionArn, alreadyStarted } = await deps.executions.start(name, { service, version, trigger });
    if (!alreadyStarted) await deps.store.append(service, { kind: 'started', by: trigger.by, executionName: name, version });
    return { status: 'started', executionName: name, executionArn };
  } catch (error) {
    // Nothing may stay locked by an execution that never started: release, and
    // start whatever was queued meanwhile (its own failure releases it in turn).
    await recordEnd(deps, service, request, 'not-started', `StartExecution failed: ${(error as Error).message}`);
    const { next } = await deps.store.finish(service, name);
    if (next) await startClaimed(deps, service, next).catch(() => undefined);
    throw error;
  }
}

/** When the lock's execution is gone (never started, or ended without releasing), hands the lock on. */
async function takeOverStaleLock(deps: DispatchDeps, service: string): Promise<DispatchResult | null> {
  const active = await deps.store.active(service);
  const now = (deps.now ?? (() => new Date()))().getTime();
  if (!active || !isStaleLock(active.claimedAt, now)) return null;
  if (await isRunning(deps.executions, active.executionName)) return null;
  await recordEnd(deps, service, active, 'lost', 'its execution is not running; the lock goes to the queued version');
  return startNext(deps, service, active.executionName);
}

async function abortInFavourOf(deps: DispatchDeps, service: string, request: DeploymentRequest): Promise<void> {
  try {
    await signal(deps, service, { action: 'abort', by: request.trigger.by, reason: `superseded by version ${request.version}` });
  } catch (error) {
    // Finished or answered meanwhile: the queued version starts next all the same.
    if (!(error instanceof NotFound || error instanceof ConcurrentUpdate || error instanceof TaskTokenRejected)) throw error;
  }
}

async function recordEnd(deps: DispatchDeps, service: string, request: DeploymentRequest, outcome: Outcome, reason: string): Promise<void> {
  await deps.store.append(service, { kind: 'finished', by: 'dispatch', executionName: request.executionName, version: request.version, outcome, reason });
}

async function isRunning(executions: Executions, name: string): Promise<boolean> {
  try {
    return (await executions.describe(executions.arnOf(name))).status === 'RUNNING';
  } catch (error) {
    if (error instanceof ResourceNotFound) return false;
    throw error;
  }
}

async function withoutWait(deps: DispatchDeps, service: string, request: SignalRequest, answered: Wait | null): Promise<SignalResult> {
  const active = await deps.store.active(service);
  if (request.action === 'abort' && active) {
    return { outcome: 'abort-requested', active: await deps.store.requestAbort(service, { by: request.by, reason: request.reason }) };
  }
  throw noOpenWait(service, request.action, active, answered && { executionName: nameOf(answered.executionArn), description: answeredBy(answered) });
}

function nameOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}
