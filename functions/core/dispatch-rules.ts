// The rules of dispatch, apart from the store and Step Functions that carry
// them out: how an execution is named, when a lock was left behind, and which
// open wait a signal may answer (and why it may not).
import { ConcurrentUpdate, DeploymentEnded, NotFound, NothingToPromote, NothingToRollBack } from './errors.ts';
import type { HoldKind } from './holds.ts';

export type SignalAction = 'promote' | 'rollback' | 'abort';
/** A wait the workflow can be in: every hold but `none`. */
export type WaitKind = Exclude<HoldKind, 'none'>;

/** A lock older than this whose execution is not running was left behind (a crash between claim and start). */
export const STALE_LOCK_MS = 5 * 60_000;

/** Step Functions accepts execution names of 1 to 80 characters. */
const MAX_NAME = 80;

/** Promotion means something only while a canary waits: after it, the release is live already. */
const PROMOTABLE: readonly WaitKind[] = ['promotion', 'bake'];

/**
 * `<service>-<first 12 of version>-<first 12 of request id>`: the same
 * request (a delivery id) always gets the same name, so Step Functions
 * starts it once.
 */
export function executionName(service: string, version: string, requestId: string): string {
  return `${service}-${safe(version).slice(0, 12)}-${safe(requestId).replaceAll('-', '').slice(0, 12)}`.slice(0, MAX_NAME);
}

/** Whether a lock claimed at `claimedAt` is old enough to be taken over once its execution is found not running. */
export function isStaleLock(claimedAt: string, nowMs: number): boolean {
  return nowMs - Date.parse(claimedAt) >= STALE_LOCK_MS;
}

export interface OpenWait {
  kind: WaitKind;
  releaseNumber: number;
  /** The execution that waits. */
  executionName?: string;
}

export interface SignalIntent {
  action: SignalAction;
  /**
   * Act only on a wait of these kinds, or of this release (alarms, buttons of
   * an older message), or only on this execution (the one the user saw).
   */
  expect?: { kinds?: WaitKind[]; releaseNumber?: number; executionName?: string };
}

/** Throws, sending nothing, when the open wait is not one this signal may answer. */
export function refuseUnexpected(service: string, wait: OpenWait, request: SignalIntent): void {
  const { kinds, releaseNumber, executionName } = request.expect ?? {};
  if (executionName !== undefined && wait.executionName !== undefined && executionName !== wait.executionName) {
    throw deploymentEnded(service, request.action, executionName, { executionName: wait.executionName });
  }
  const waiting = `${service} is waiting in ${wait.kind} of release ${wait.releaseNumber}`;
  if (request.action === 'promote' && !PROMOTABLE.includes(wait.kind)) {
    throw new NothingToPromote(`${waiting}: release ${wait.releaseNumber} is live already; nothing to promote`);
  }
  if (kinds && !kinds.includes(wait.kind)) {
    throw refusal(request.action, `${waiting}, not in ${kinds.join(' or ')}; nothing was sent`);
  }
  if (releaseNumber !== undefined && releaseNumber !== wait.releaseNumber) {
    throw refusal(request.action, `${waiting}, not of release ${releaseNumber}; nothing was sent`);
  }
}

/**
 * The refusal of a signal that finds no open wait (an abort of a running
 * deployment is recorded instead, and never reaches this).
 * @param answered the last wait, already answered: its execution and who answered it, in words
 */
export function noOpenWait(
  service: string,
  action: SignalAction,
  active: { executionName: string; version: string } | null,
  answered: { executionName: string; description: string } | null,
): Error {
  if (!active) {
    if (action === 'abort') return new NotFound(`${service}: no deployment is running; nothing to abort`);
    return refusal(action, `${service}: nothing to ${verb(action)}: no deployment of ${service} is running`);
  }
  if (answered && answered.executionName === active.executionName) {
    return new ConcurrentUpdate(`${service}: ${answered.description}; nothing was sent`);
  }
  return refusal(
    action,
    `${service}: nothing to ${verb(action)}: deployment ${active.executionName} (version ${active.version}) is still working and waits for no answer yet; try again when it waits, or abort it`,
  );
}

/**
 * The refusal of a signal naming an execution that no longer holds the lock:
 * nothing is sent or recorded, and the one running now is named.
 */
export function deploymentEnded(
  service: string,
  action: SignalAction,
  named: string,
  running: { executionName: string; version?: string } | null,
): DeploymentEnded {
  const asked = action === 'abort' ? 'you aborted' : `you asked to ${verb(action)}`;
  const now = running
    ? `${running.executionName}${running.version ? ` (version ${running.version})` : ''} is running now: ${action === 'rollback' ? 'roll it back' : `${action} it`} by name`
    : `no deployment of ${service} is running now; nothing to ${verb(action)}`;
  return new DeploymentEnded(`${service}: the deployment ${asked}, ${named}, has ended; ${now}`, { running: running?.executionName ?? null });
}

function refusal(action: SignalAction, message: string): Error {
  return action === 'promote' ? new NothingToPromote(message) : new NothingToRollBack(message);
}

function verb(action: SignalAction): string {
  return action === 'rollback' ? 'roll back' : action;
}

/** Characters Step Functions (and its CloudWatch logging) accept in names. */
function safe(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '-');
}
