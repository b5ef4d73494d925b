// CloudWatch statistics of a window of samples: the five standard ones and
// percentiles (`p99`, `p99.9`).
import type { WindowSamples } from './metric-store.ts';

export const STANDARD_STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
const PERCENTILE = /^p(\d{1,2}(?:\.\d{1,2})?|100)$/;

export function isStatistic(name: string): boolean {
  return (STANDARD_STATISTICS as readonly string[]).includes(name) || PERCENTILE.test(name);
}

export function isExtendedStatistic(name: string): boolean {
  return PERCENTILE.test(name);
}

export function statistic(samples: WindowSamples, name: string): number {
  switch (name) {
    case 'SampleCount':
      return samples.count;
    case 'Sum':
      return samples.sum;
    case 'Average':
      return samples.count === 0 ? 0 : samples.sum / samples.count;
    case 'Minimum':
      return samples.min;
    case 'Maximum':
      return samples.max;
    default:
      return percentile(samples.values, Number(PERCENTILE.exec(name)?.[1] ?? NaN));
  }
}

/** Nearest-rank percentile; NaN for an unknown statistic or no values. */
function percentile(values: number[], p: number): number {
  if (Number.isNaN(p) || values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
