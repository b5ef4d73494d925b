// The health gate. The ALB fails open (with every target unhealthy it routes
// to all of them), so its routing proves nothing: a release is ready only
// when every desired target reports `healthy` itself.
import { HealthDeadlineExceeded } from './errors.ts';
import type { TargetHealth } from './model.ts';

export interface HealthVerdict {
  ready: boolean;
  healthy: number;
  desired: number;
  /** e.g. `1/2 healthy; i-abc: unhealthy (Target.ResponseCodeMismatch)` */
  detail: string;
}

export function healthVerdict(targets: TargetHealth[], desired: number): HealthVerdict {
  const healthy = targets.filter((t) => t.state === 'healthy').length;
  const ready = desired > 0 && healthy >= desired;
  const others = targets.filter((t) => t.state !== 'healthy').map((t) => `${t.id}: ${t.state}${t.reason ? ` (${t.reason})` : ''}`);
  return { ready, healthy, desired, detail: [`${healthy}/${desired} healthy`, ...others].join('; ') };
}

/** Throws when the progress deadline has passed without the release becoming ready. */
export function assertWithinDeadline(verdict: HealthVerdict, startedAtMs: number, nowMs: number, deadlineSeconds: number, what: string): void {
  if (verdict.ready || nowMs - startedAtMs < deadlineSeconds * 1000) return;
  throw new HealthDeadlineExceeded(`${what} was not healthy within ${deadlineSeconds} s: ${verdict.detail}`);
}
