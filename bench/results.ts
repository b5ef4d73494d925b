// The shape of bench/results.json, and the targets each figure is judged by.
import type { DeploymentCostRow } from './deployment-cost.ts';
import type { BundleRow, HandlerRow } from './entry-points.ts';
import type { RollbackRow } from './rollback.ts';
import type { ScaleRow } from './scale.ts';
import type { ZeroDowntimeRow } from './zero-downtime.ts';

export interface Machine {
  nproc: number;
  cpuModel: string;
  node: string;
  platform: string;
}

export interface TargetCheck {
  figure: string;
  target: string;
  measured: string;
  met: boolean;
}

export interface BenchResults {
  mode: 'full' | 'smoke';
  date: string;
  command: string;
  machine: Machine;
  durationMs: number;
  zeroDowntime: { timeScale: number; rows: ZeroDowntimeRow[] };
  rollback: { timeScale: number; rows: RollbackRow[] };
  deploymentCost: { timeScale: number; priceSource: string; rows: DeploymentCostRow[] };
  entryPoints: { coldInitRuns: number; bundles: BundleRow[]; handlers: HandlerRow[]; coldStartScript: string | null };
  scale: { timeScale: number; rows: ScaleRow[] };
  targets: TargetCheck[];
}

export function checkTargets(results: Omit<BenchResults, 'targets'>): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (figure: string, target: string, measured: string, met: boolean) => checks.push({ figure, target, measured, met });

  for (const row of results.zeroDowntime.rows.filter((r) => r.kind === 'bluegreen')) {
    const failed = row.before.failed + row.launch.failed + row.during.failed + row.after.failed;
    check('1 zero downtime', `${row.switch} at ${row.rps} rps: 0 failed`, `${failed} failed`, failed === 0);
    check('1 zero downtime', `${row.switch} at ${row.rps} rps: p99 during ≤ 1.1 × before`, `${row.during.p99} ms vs ${row.before.p99} ms (×${row.p99Ratio})`, row.p99Ratio <= 1.1);
  }
  for (const row of results.rollback.rows.filter((r) => r.retention === 'warm')) {
    check('2 rollback', 'warm: ≤ 1 listener write and ≤ 2 reads on the critical path', `${row.listenerWrites} write(s), ${row.reads} read(s), ${row.otherWrites} other write(s)`, row.listenerWrites <= 1 && row.reads <= 2 && row.otherWrites === 0);
    check('2 rollback', 'warm: alarm to routed < 1 s', `${row.detectToRoutedMs} ms`, row.detectToRoutedMs < 1000);
  }
  for (const row of results.deploymentCost.rows) {
    check('3 cost', `${row.strategy}: orchestration overhead < 2 s`, `${row.ownMs} ms`, row.ownMs < 2000);
    if (row.strategy === 'blue-green') check('3 cost', 'blue-green: < 60 state transitions', `${row.stateTransitions}`, row.stateTransitions < 60);
  }
  for (const row of results.entryPoints.bundles) check('4 entry points', `${row.function}: cold init < 150 ms`, `p50 ${row.coldInitMs.p50} ms`, row.coldInitMs.p50 < 150);
  for (const row of results.entryPoints.handlers) {
    check('4 entry points', `${row.handler}: far inside ${row.budgetMs / 1000} s`, `p99 ${row.p99} ms`, row.p99 < row.budgetMs / 10);
  }
  for (const row of results.scale.rows) {
    check('5 scale', `${row.services} services: all complete`, `${row.succeeded} of ${row.services}`, row.succeeded === row.services);
    check('5 scale', `${row.services} services: ≤ 100 rules`, `${row.peakRules}`, row.peakRules <= 100);
    check('5 scale', `${row.services} services: ELBv2 Describe ≤ 10/s (AWS time)`, `${row.describesPerAwsSecond}/s`, row.describesPerAwsSecond <= 10);
  }
  return checks;
}
