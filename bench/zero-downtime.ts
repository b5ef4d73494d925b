// Figure 1, zero downtime: the rehearsal's real deployment of release 2 under
// steady load, per strategy and rate, beside the two hand-made baselines at
// the same rate. Before: the steady load until the push; launch: until the
// first traffic move; during: from the first traffic move to the last one
// (shift, advance, promote) plus one second; after: the rest (retention and
// the old release's retirement included).
import { rehearse } from '../local/rehearsal.ts';
import { BASELINES, runBaseline } from './baselines.ts';
import type { Strategy } from './stack.ts';
import { switchWindows, type SwitchWindows } from './windows.ts';

export const STRATEGIES: readonly Strategy[] = ['blue-green', 'header-canary', 'weighted-canary'];
const SECOND_RELEASE = '2.0.0';
const MOVES = [`shift to ${SECOND_RELEASE}`, `advance ${SECOND_RELEASE}`, `promote ${SECOND_RELEASE}`];

export interface ZeroDowntimeRow extends SwitchWindows {
  rps: number;
  /** A strategy of ours, or a baseline. */
  switch: string;
  kind: 'bluegreen' | 'baseline';
  switchMs: number;
  /** Baselines only: how much the p99 moves between two halves of a steady window (nothing changing). */
  steadyP99Ratio?: number;
}

export interface ZeroDowntimeOptions {
  rates: readonly number[];
  strategies: readonly Strategy[];
  timeScale: number;
  /** Real ms of load before and after a baseline's switch. */
  baselineSteadyMs: number;
  progress: (line: string) => void;
}

export async function measureZeroDowntime(options: ZeroDowntimeOptions): Promise<ZeroDowntimeRow[]> {
  const rows: ZeroDowntimeRow[] = [];
  for (const rps of options.rates) {
    for (const strategy of options.strategies) {
      options.progress(`zero downtime: ${strategy} at ${rps} rps`);
      const { report, samples } = await rehearse({ strategy, scenario: 'happy', rps, timeScale: options.timeScale, instanceMode: 'process' });
      const moves = report.timeline.filter((t) => MOVES.includes(t.phase)).map((t) => t.atMs);
      if (moves.length === 0) throw new Error(`the ${strategy} rehearsal never moved traffic to ${SECOND_RELEASE}`);
      const push = report.timeline.find((t) => t.phase === `push ${SECOND_RELEASE}`)!.atMs;
      const from = Math.min(...moves);
      const to = Math.max(...moves) + 1000;
      rows.push({ rps, switch: strategy, kind: 'bluegreen', switchMs: to - from, ...switchWindows(samples, push, from, to) });
    }
    for (const baseline of BASELINES) {
      options.progress(`zero downtime: baseline ${baseline} at ${rps} rps`);
      const result = await runBaseline({ baseline, rps, timeScale: options.timeScale, instanceMode: 'process', steadyMs: options.baselineSteadyMs });
      rows.push({ rps, switch: baseline, kind: 'baseline', ...result });
    }
  }
  return rows;
}
