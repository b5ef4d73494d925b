// Runs a Wait state (turned into a local task by runnable-definition.ts):
// Seconds / SecondsPath wait that long in workflow time, Timestamp /
// TimestampPath wait until then (the time left, scaled); the state's output
// is its input.
import type { JsonValue } from './definition.ts';
import type { WaitEnvelope } from './runnable-definition.ts';
import { StatesRuntimeError } from './state-errors.ts';
import { delay, scaledMs } from './time-scale.ts';

export async function runWaitState(envelope: WaitEnvelope, timeScale: number, signal: AbortSignal): Promise<JsonValue> {
  signal.throwIfAborted();
  await delay(scaledMs(waitSeconds(envelope, Date.now()), timeScale), signal);
  return envelope.input;
}

function waitSeconds(envelope: WaitEnvelope, now: number): number {
  if ('seconds' in envelope) {
    const { seconds } = envelope;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StatesRuntimeError(`Wait: seconds must be a non-negative integer, got ${JSON.stringify(seconds)}`);
    }
    return seconds;
  }
  const until = typeof envelope.timestamp === 'string' ? Date.parse(envelope.timestamp) : Number.NaN;
  if (Number.isNaN(until)) throw new StatesRuntimeError(`Wait: timestamp must be an ISO 8601 date, got ${JSON.stringify(envelope.timestamp)}`);
  return Math.max(0, until - now) / 1000;
}
