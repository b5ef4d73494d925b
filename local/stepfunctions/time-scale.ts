// Workflow time versus real time. Every duration the definition asks for
// (Wait, task TimeoutSeconds, Retry intervals, the machine's TimeoutSeconds)
// lasts `seconds × timeScale` real seconds; timestamps stay wall-clock time.
import { setTimeout as sleep } from 'node:timers/promises';

/** Node timers fire at once past this many milliseconds (about 24.8 days). */
const LONGEST_TIMER_MS = 2_147_483_647;

export function assertTimeScale(timeScale: number): void {
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new RangeError(`timeScale: must be a positive number, got ${timeScale}`);
  }
}

/** Real milliseconds that `seconds` of workflow time last. */
export function scaledMs(seconds: number, timeScale: number): number {
  return seconds * 1000 * timeScale;
}

/** Resolves after `ms` real milliseconds, however long; rejects once `signal` aborts. */
export async function delay(ms: number, signal: AbortSignal): Promise<void> {
  let remaining = Math.max(0, ms);
  while (remaining > LONGEST_TIMER_MS) {
    await sleep(LONGEST_TIMER_MS, undefined, { signal });
    remaining -= LONGEST_TIMER_MS;
  }
  await sleep(remaining, undefined, { signal });
}
