// Named errors. Step Functions `Retry`/`Catch` match on `error.name`, the CLI
// and the HTTP handlers map them to exit codes and 4xx answers, so a name,
// once released, never changes.

export class BlueGreenError extends Error {
  /** Whether retrying the same call may succeed (throttling, a transient fault). */
  readonly retryable: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

// ---- plan: invalid transitions and limits (never retried) ----
export class NothingToPromote extends BlueGreenError {}
export class NothingToRollBack extends BlueGreenError {}
export class NothingToAdvance extends BlueGreenError {}
export class NothingToShift extends BlueGreenError {}
export class NothingToAbort extends BlueGreenError {}
/** The listener or the releases are in a shape the plan cannot interpret safely. */
export class UnexpectedListener extends BlueGreenError {}
export class VersionAlreadyLive extends BlueGreenError {}
export class DeploymentInProgress extends BlueGreenError {}
export class QuotaExceeded extends BlueGreenError {}
/** A rule priority the strategy needs is taken by a rule bluegreen did not create. */
export class PriorityInUse extends BlueGreenError {}
/** The listener differs from what this deployment last wrote: someone changed it by hand. */
export class DriftDetected extends BlueGreenError {}
export class ConfigInvalid extends BlueGreenError {}
export class UnknownService extends BlueGreenError {}

// ---- workflow ----
/** The candidate did not have every desired target healthy before the progress deadline. */
export class HealthDeadlineExceeded extends BlueGreenError {}
/** The new release did not answer the smoke test through the load balancer. */
export class SmokeTestFailed extends BlueGreenError {}
/** The probe function (`smokeTest.from: 'vpc'`) crashed or answered something other than a verdict: no verdict on the release. */
export class ProbeFailed extends BlueGreenError {}
/**
 * The probe function cannot be invoked yet: Lambda is (re)creating its network
 * interfaces in the VPC (a new function, or one idle for weeks). The workflow
 * retries it for a few minutes.
 */
export class ProbeNotReady extends BlueGreenError {
  override readonly retryable = true;
}
/**
 * An Auto Scaling group of the new release's name exists and is not the one
 * this deployment asked for: it is being deleted, or runs another launch
 * template version or serves another target group. It is never adopted.
 */
export class FleetNameTaken extends BlueGreenError {}
/** An operator asked to abort this deployment. */
export class Aborted extends BlueGreenError {}
/** Read-back after a write did not match what was written. */
export class VerificationFailed extends BlueGreenError {
  override readonly retryable = true;
}

// ---- adapters: SDK errors mapped to these ----
export class Throttled extends BlueGreenError {
  override readonly retryable = true;
}
export class TransientAwsError extends BlueGreenError {
  override readonly retryable = true;
}
/** Names the missing permission; never retried. */
export class AccessDenied extends BlueGreenError {}
export class ResourceNotFound extends BlueGreenError {}
export class ResourceInUse extends BlueGreenError {}
/**
 * DeleteTargetGroup answered ResourceInUse although no rule references the
 * group any more: ELBv2 takes a while to release it after a listener change.
 * The workflow retries it for about two minutes.
 */
export class TargetGroupInUse extends ResourceInUse {}
export class AwsRequestFailed extends BlueGreenError {}

// ---- store ----
/** Another deployment holds the service's lock. */
export class LockHeld extends BlueGreenError {}
/** A conditional write lost a race (promote vs. alarm rollback, say). */
export class ConcurrentUpdate extends BlueGreenError {}
export class NotFound extends BlueGreenError {}
/**
 * A promote / rollback / abort named the execution the user saw, and that
 * execution has ended: nothing was sent or recorded. `running` is the one
 * holding the lock now, if any, to name instead.
 */
export class DeploymentEnded extends BlueGreenError {
  readonly running: string | null;
  constructor(message: string, options?: { cause?: unknown; running?: string | null }) {
    super(message, options);
    this.running = options?.running ?? null;
  }
}

// ---- entry points ----
export class Unauthorized extends BlueGreenError {}
export class Forbidden extends BlueGreenError {}
export class BadRequest extends BlueGreenError {}
/** The request body is larger than the entry point accepts. */
export class PayloadTooLarge extends BlueGreenError {}

// ---- workflow executions ----
/**
 * The task token of a wait is no longer accepted: the wait timed out, was
 * already answered, or the execution ended (`TaskTimedOut`, `TaskDoesNotExist`,
 * `InvalidToken`).
 */
export class TaskTokenRejected extends BlueGreenError {}

// ---- outside services ----
/** Slack answered with an error (`ok: false`, or an HTTP error). */
export class SlackRequestFailed extends BlueGreenError {
  override readonly retryable = true;
}
/** GitHub did not answer, or answered with an error other than "not found". */
export class GitHubRequestFailed extends BlueGreenError {
  override readonly retryable = true;
}
