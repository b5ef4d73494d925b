// How a request reaches the workflow, whoever makes it.
// - `startOrQueue`: a new version (webhook, CLI `deploy`): claim the service's
//   lock and start the execution, or queue the version behind the running one.
// - `startNext`: the workflow's last step: release the lock, start what was queued.
// - `signal`: promote / roll back / abort (Slack, CLI, alarm): answer the open
//   wait of the workflow, exactly once, or record an abort request.
// - `signalAlarm`: the rollback an alarm in ALARM asks for, through `signal`.
// - `recoverLostLock`: a lock whose execution is gone goes to the queued
//   version (on a push, and from the scheduled sweep without one).
import { randomBytes } from 'node:crypto';
import { alarmRollback, WAITS_AN_ALARM_ENDS } from '../core/alarms.ts';
import { deploymentEnded, executionName as nameFor, isStaleLock, noOpenWait, refuseUnexpected } from '../core/dispatch-rules.ts';
import { ConcurrentUpdate, LockHeld, NotFound, ResourceNotFound, TaskTokenRejected } from '../core/errors.ts';
import type { AlarmView } from '../core/model.ts';
import type { ExecutionStatus, Executions, SignalAction, Trigger } from '../adapters/executions.ts';
import { answeredBy, type ActiveDeployment, type DeploymentRequest, type DeploymentStore, type Outcome, type Wait, type WaitKind } from '../adapters/store.ts';

export { STALE_LOCK_MS } from '../core/dispatch-rules.ts';

export interface DispatchDeps {
  store: DeploymentStore;
  executions: Executions;
  now?: () => Date;
}

export type DispatchResult =
  | { status: 'started'; executionName: string; executionArn: string }
  | { status: 'queued'; executionName: string }
  /** The request arrived again after its execution ended (a redelivery): nothing started, no lock kept for it. */
  | { status: 'already-handled'; executionName: string; executionArn: string; executionStatus: ExecutionStatus };

export interface SignalRequest {
  action: SignalAction;
  /** `slack:<user id>`, `cli:<user>`, `alarm:<alarm name>` */
  by: string;
  reason: string;
  /**
   * Act only on a wait of these kinds, or of this release (alarms, buttons of
   * an older message), or only on this execution: the one the user saw (the
   * CLI's `--execution`, Slack's `/deploy abort <service> <execution>`). A
   * request without it acts on whichever execution holds the lock.
   */
  expect?: { kinds?: WaitKind[]; releaseNumber?: number; executionName?: string };
}

/** What `recoverLostLock` found, and did. */
export type LockRecovery =
  | { outcome: 'free' }
  /** Younger than `STALE_LOCK_MS`: its execution may be about to start. */
  | { outcome: 'fresh'; executionName: string }
  | { outcome: 'running'; executionName: string }
  /** Released or handed over meanwhile by someone else (the workflow's Finish, another recovery); nothing recorded. */
  | { outcome: 'moved-on'; executionName: string; next: DispatchResult | null }
  /** Recorded as `lost`; `next` is the queued version it went to, started. */
  | { outcome: 'recovered'; executionName: string; next: DispatchResult | null };

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
 * the running deployment to abort in its favour. A request named by its
 * delivery id whose execution has ended (GitHub's redelivery after the
 * webhook's dedupe window) is `already-handled`: it takes no lock and
 * supersedes no queued push.
 */
export async function startOrQueue(
  deps: DispatchDeps,
  service: string,
  version: string,
  trigger: Trigger,
  options: { supersede?: boolean } = {},
): Promise<DispatchResult> {
  const request: DeploymentRequest = { executionName: executionName(service, version, trigger), version, trigger };
  if (trigger.deliveryId) {
    const ended = await endedExecution(deps.executions, request.executionName);
    if (ended) return recordRedelivery(deps, service, request, ended);
  }
  if ((await deps.store.claim(service, request)) === 'claimed') return startClaimed(deps, service, request);
  const recovery = await recoverLostLock(deps, service);
  if ('next' in recovery && recovery.next?.executionName === request.executionName) return recovery.next;
  if (recovery.outcome !== 'free' && recovery.executionName === request.executionName) {
    // Handed to this request meanwhile (the sweep recovered the lock, or the running one finished): whoever handed it over starts it.
    return { status: 'started', executionName: request.executionName, executionArn: deps.executions.arnOf(request.executionName) };
  }
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
  refuseUnexpected(service, { ...wait, executionName: nameOf(wait.executionArn) }, request);
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
  let started: Awaited<ReturnType<Executions['start']>>;
  try {
    started = await deps.executions.start(name, { service, version, trigger });
  } catch (error) {
    // Nothing may stay locked by an execution that never started: release, and
    // start whatever was queued meanwhile (its own failure releases it in turn).
    await recordEnd(deps, service, request, 'not-started', `StartExecution failed: ${(error as Error).message}`);
    const { next } = await deps.store.finish(service, name);
    if (next) await startClaimed(deps, service, next).catch(() => undefined);
    throw error;
  }
  const { executionArn, alreadyStarted, status } = started;
  if (alreadyStarted && status !== 'RUNNING') {
    // The execution of this very request has ended (a redelivery that raced its
    // own end, or was queued): the lock is not kept for it; the queued version starts.
    const { next, released } = await releaseIfHeld(deps.store, service, name);
    const handled = released ? await recordRedelivery(deps, service, request, { executionArn, status }) : alreadyHandled(name, { executionArn, status });
    if (next) await startClaimed(deps, service, next);
    return handled;
  }
  if (!alreadyStarted) await deps.store.append(service, { kind: 'started', by: trigger.by, executionName: name, version });
  return { status: 'started', executionName: name, executionArn };
}

/** Releases `name`'s lock; nothing to release when another execution holds it now. */
async function releaseIfHeld(store: DeploymentStore, service: string, name: string): Promise<{ next: DeploymentRequest | null; released: boolean }> {
  try {
    return await store.finish(service, name);
  } catch (error) {
    if (error instanceof LockHeld) return { next: null, released: false };
    throw error;
  }
}

interface EndedExecution {
  executionArn: string;
  status: ExecutionStatus;
}

/** The execution of this name, when it exists and has ended. */
async function endedExecution(executions: Executions, name: string): Promise<EndedExecution | null> {
  try {
    const { executionArn, status } = await executions.describe(executions.arnOf(name));
    return status === 'RUNNING' ? null : { executionArn, status };
  } catch (error) {
    if (error instanceof ResourceNotFound) return null;
    throw error;
  }
}

/** One history line: the request came again and was deployed already, by that execution. */
async function recordRedelivery(deps: DispatchDeps, service: string, request: DeploymentRequest, ended: EndedExecution): Promise<DispatchResult> {
  const { executionName: name, version, trigger } = request;
  const what = trigger.deliveryId ? `delivery ${trigger.deliveryId}` : 'the request';
  await deps.store.append(service, {
    kind: 'redelivered',
    by: trigger.by,
    executionName: name,
    version,
    reason: `${what} arrived again: already deployed by ${name}, which ended ${ended.status}; nothing started`,
  });
  return alreadyHandled(name, ended);
}

function alreadyHandled(executionName: string, ended: EndedExecution): DispatchResult {
  return { status: 'already-handled', executionName, executionArn: ended.executionArn, executionStatus: ended.status };
}

/**
 * When the lock's execution is gone (never started, or ended without
 * releasing) and the lock is stale, records it as `lost` and hands the lock to
 * the queued version, which starts. Two recoveries at once (a push and the
 * sweep) hand it over once and record it once.
 */
export async function recoverLostLock(deps: DispatchDeps, service: string): Promise<LockRecovery> {
  const active = await deps.store.active(service);
  if (!active) return { outcome: 'free' };
  const { executionName } = active;
  const now = (deps.now ?? (() => new Date()))().getTime();
  if (!isStaleLock(active.claimedAt, now)) return { outcome: 'fresh', executionName };
  if (await isRunning(deps.executions, executionName)) return { outcome: 'running', executionName };
  let finished: { next: DeploymentRequest | null; released: boolean };
  try {
    finished = await deps.store.finish(service, executionName);
  } catch (error) {
    if (error instanceof LockHeld) return { outcome: 'moved-on', executionName, next: null };
    throw error;
  }
  // Only the caller that released it records the loss; either starts the next version (a start is idempotent).
  if (finished.released) await recordEnd(deps, service, active, 'lost', 'its execution is not running; the lock goes to the queued version');
  const next = finished.next ? await startClaimed(deps, service, finished.next) : null;
  return { outcome: finished.released ? 'recovered' : 'moved-on', executionName, next };
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
  const named = request.expect?.executionName;
  if (named !== undefined && active?.executionName !== named) throw deploymentEnded(service, request.action, named, active);
  if (request.action === 'abort' && active) {
    const { by, reason } = request;
    try {
      // Named, the write is conditional on that execution still holding the lock.
      return { outcome: 'abort-requested', active: await deps.store.requestAbort(service, { by, reason, ...(named !== undefined ? { executionName: named } : {}) }) };
    } catch (error) {
      if (named !== undefined && (error instanceof LockHeld || error instanceof NotFound)) throw deploymentEnded(service, 'abort', named, await deps.store.active(service));
      throw error;
    }
  }
  throw noOpenWait(service, request.action, active, answered && { executionName: nameOf(answered.executionArn), description: answeredBy(answered) });
}

function nameOf(executionArn: string): string {
  return executionArn.slice(executionArn.lastIndexOf(':') + 1);
}
