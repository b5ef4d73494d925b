// `npm run bench`: the five figures of the product, measured on the local
// cloud beside their baselines in one run, written to bench/results.json,
// bench/results.md and bench/results.svg. Progress goes to stderr.
//
//   node bench/run.ts [--smoke] [--out DIR]
//   node bench/run.ts --render [--out DIR]
//
// --smoke: one tiny iteration of each figure (under a minute), for the test.
// --render: rewrites results.md and results.svg from DIR/results.json, measuring nothing.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, platform, release } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { renderChart } from './chart.ts';
import { measureDeploymentCost, PRICE_SOURCE } from './deployment-cost.ts';
import { measureBundles, measureColdStartScript, measureHandlers } from './entry-points.ts';
import { renderMarkdown } from './markdown.ts';
import { checkTargets, type BenchResults, type Machine } from './results.ts';
import { measureRollback, RETENTION_MODES } from './rollback.ts';
import { measureScale } from './scale.ts';
import { measureZeroDowntime, STRATEGIES } from './zero-downtime.ts';

interface Plan {
  rates: number[];
  strategies: typeof STRATEGIES;
  rehearsalTimeScale: number;
  baselineSteadyMs: number;
  retentionModes: ReadonlyArray<(typeof RETENTION_MODES)[number]>;
  rollbackTimeScale: number;
  costTimeScale: number;
  coldInitRuns: number;
  handlerCalls: number;
  coldStartScriptRuns: number;
  scaleServices: number[];
  scaleTimeScale: number;
}

const FULL: Plan = {
  rates: [50, 200, 400],
  strategies: STRATEGIES,
  rehearsalTimeScale: 0.2,
  baselineSteadyMs: 3000,
  retentionModes: RETENTION_MODES,
  rollbackTimeScale: 0.1,
  costTimeScale: 0.02,
  coldInitRuns: 9,
  handlerCalls: 200,
  coldStartScriptRuns: 5,
  scaleServices: [10, 25, 49],
  scaleTimeScale: 0.05,
};

const SMOKE: Plan = {
  rates: [50],
  strategies: ['blue-green'],
  rehearsalTimeScale: 0.02,
  baselineSteadyMs: 1000,
  retentionModes: ['warm'],
  rollbackTimeScale: 0.02,
  costTimeScale: 0.02,
  coldInitRuns: 1,
  handlerCalls: 5,
  coldStartScriptRuns: 0,
  scaleServices: [3],
  scaleTimeScale: 0.02,
};

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { smoke: { type: 'boolean', default: false }, render: { type: 'boolean', default: false }, out: { type: 'string', default: resolve(import.meta.dirname) } },
  });
  const plan = values.smoke ? SMOKE : FULL;
  const outDir = resolve(values.out);
  if (values.render) {
    writeReports(outDir, JSON.parse(readFileSync(join(outDir, 'results.json'), 'utf8')) as BenchResults);
    return;
  }
  const t0 = Date.now();
  const progress = (line: string) => process.stderr.write(`[bench ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);

  const zeroDowntime = await measureZeroDowntime({ rates: plan.rates, strategies: plan.strategies, timeScale: plan.rehearsalTimeScale, baselineSteadyMs: plan.baselineSteadyMs, progress });

  const rollback = [];
  for (const mode of plan.retentionModes) {
    progress(`rollback latency: ${mode} release`);
    rollback.push(await measureRollback(mode, plan.rollbackTimeScale));
  }

  const cost = [];
  for (const strategy of STRATEGIES) {
    progress(`deployment cost: ${strategy}`);
    cost.push(await measureDeploymentCost(strategy, plan.costTimeScale));
  }

  progress('entry points: bundles and cold init');
  const bundles = await measureBundles(plan.coldInitRuns);
  progress('entry points: webhook and Slack handlers');
  const handlers = await measureHandlers(plan.handlerCalls);
  let coldStartScript: string | null = null;
  if (plan.coldStartScriptRuns > 0) {
    progress('entry points: scripts/measure-cold-start.ts');
    coldStartScript = measureColdStartScript(plan.coldStartScriptRuns);
  }

  const scale = [];
  for (const services of plan.scaleServices) {
    progress(`scale: ${services} services at once`);
    scale.push(await measureScale(services, plan.scaleTimeScale));
  }

  const measured: Omit<BenchResults, 'targets'> = {
    mode: values.smoke ? 'smoke' : 'full',
    date: new Date().toISOString(),
    command: values.smoke ? 'node bench/run.ts --smoke' : 'npm run bench',
    machine: machine(),
    durationMs: Date.now() - t0,
    zeroDowntime: { timeScale: plan.rehearsalTimeScale, rows: zeroDowntime },
    rollback: { timeScale: plan.rollbackTimeScale, rows: rollback },
    deploymentCost: { timeScale: plan.costTimeScale, priceSource: PRICE_SOURCE, rows: cost },
    entryPoints: { coldInitRuns: plan.coldInitRuns, bundles, handlers, coldStartScript },
    scale: { timeScale: plan.scaleTimeScale, rows: scale },
  };
  const results: BenchResults = { ...measured, targets: checkTargets(measured) };

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeReports(outDir, results);
  const missed = results.targets.filter((t) => !t.met);
  progress(`done in ${Math.round(results.durationMs / 1000)} s: ${relative(process.cwd(), join(outDir, 'results.md')) || 'results.md'}; ${missed.length} target(s) not met`);
  for (const t of missed) progress(`  not met: ${t.figure}: ${t.target}: ${t.measured}`);
}

function writeReports(outDir: string, results: BenchResults): void {
  writeFileSync(join(outDir, 'results.svg'), renderChart(results.zeroDowntime.rows));
  writeFileSync(join(outDir, 'results.md'), renderMarkdown(results, 'results.svg'));
}

function machine(): Machine {
  return {
    nproc: Number(tryRun('nproc') ?? availableParallelism()),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.versions.node,
    platform: `${platform()} ${release()}`,
  };
}

function tryRun(command: string): string | null {
  try {
    return execFileSync(command, { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

await main();
