// Load samples cut into the windows a switch is judged by: before, during and
// after it, each with its failed requests and latency percentiles.
import { summarize, type Sample } from '../local/load.ts';

export interface WindowFigures {
  requests: number;
  failed: number;
  p50: number;
  p99: number;
}

export interface SwitchWindows {
  /** Steady load before the deployment starts. */
  before: WindowFigures;
  /** The new release launches and passes its health checks; no traffic moves yet (empty for the baselines). */
  launch: WindowFigures;
  /** Traffic moves: from the first move to the last one, plus one second. */
  during: WindowFigures;
  after: WindowFigures;
  /** p99 during ÷ p99 before. */
  p99Ratio: number;
}

/** `deployFrom` ≤ `from` < `to`: the deployment's start, the switch's start and end, in the samples' own time base (ms). */
export function switchWindows(samples: readonly Sample[], deployFrom: number, from: number, to: number): SwitchWindows {
  const figures = (part: readonly Sample[]): WindowFigures => {
    const s = summarize(part);
    return { requests: s.requests, failed: s.failed, p50: s.latencyMs.p50, p99: s.latencyMs.p99 };
  };
  const before = figures(samples.filter((s) => s.at < deployFrom));
  const launch = figures(samples.filter((s) => s.at >= deployFrom && s.at < from));
  const during = figures(samples.filter((s) => s.at >= from && s.at < to));
  const after = figures(samples.filter((s) => s.at >= to));
  return { before, launch, during, after, p99Ratio: before.p99 > 0 ? round(during.p99 / before.p99, 2) : 0 };
}

export function round(value: number, digits = 0): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function percentiles(values: readonly number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!);
  return { p50: round(at(0.5), 1), p99: round(at(0.99), 1) };
}
