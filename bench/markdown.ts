// bench/results.md: one table per figure, the machine, the date, the command,
// and every target not met with its measured figure.
import type { ApiCallCounts } from '../local/cloud/local-cloud.ts';
import type { BenchResults } from './results.ts';
import type { ZeroDowntimeRow } from './zero-downtime.ts';

export function renderMarkdown(r: BenchResults, chartFile: string): string {
  const lines: string[] = [];
  const table = (head: string[], rows: Array<Array<string | number>>) => {
    lines.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`), '');
  };
  const missed = r.targets.filter((t) => !t.met);

  lines.push(
    `# Benchmarks${r.mode === 'smoke' ? ' (smoke run: one tiny iteration, not figures to quote)' : ''}`,
    '',
    `${r.date} · \`${r.command}\` · ${Math.round(r.durationMs / 1000)} s`,
    '',
    `Machine: ${r.machine.nproc} cores (\`nproc\`), ${r.machine.cpuModel}, Node ${r.machine.node}, ${r.machine.platform}.`,
    'Everything runs on this one machine: the local cloud (load balancer, instances, CloudWatch), the local Step Functions',
    'runtime, dynalite and the load client share its cores, so each figure is read beside its baseline of the same run.',
    '',
    '## Targets not met',
    '',
  );
  if (missed.length === 0) lines.push('None: every target below is met.', '');
  else table(['figure', 'target', 'measured'], missed.map((t) => [t.figure, t.target, t.measured]));

  lines.push(
    '## 1. Zero downtime',
    '',
    `Steady load through the local load balancer while release 2 replaces release 1 (time scale ${r.zeroDowntime.timeScale}: real seconds per AWS second).`,
    'Our strategies run the real workflow (the rehearsal, scenario happy); the baselines are done by hand with SDK clients against the',
    'same local cloud: **naive** moves the listener to the new target group as soon as its Auto Scaling group exists and deletes the',
    'old group at once; **stop-then-start** deletes the old group, then starts the new one. Windows: *before* is the steady load until',
    'the deployment starts; *launch* (ours only) until the first traffic move, while release 2 starts and passes its health checks;',
    '*during* from the first traffic move to the last, plus 1 s (canaries: their bakes between moves included; baselines: from their',
    'first call until the new group is healthy, plus 1 s); *after* the rest (retention, the old release retired). Latencies are whole',
    'milliseconds (the load client\'s clock), so a p99 of a few ms moves by ±1 ms from noise alone.',
    '',
    `![p99 before, during and after the switch](${chartFile})`,
    '',
  );
  table(
    ['rps', 'switch', 'failed before / launch / during / after', 'p50 before / launch / during / after (ms)', 'p99 before / launch / during / after (ms)', 'p99 during ÷ before', 'switch (ms)'],
    r.zeroDowntime.rows.map((row) => [
      row.rps,
      row.kind === 'baseline' ? `baseline: ${row.switch}` : `**${row.switch}**`,
      windows(row, 'failed'),
      windows(row, 'p50'),
      windows(row, 'p99'),
      row.p99Ratio,
      row.switchMs,
    ]),
  );
  const noise = r.zeroDowntime.rows.flatMap((row) => (row.steadyP99Ratio === undefined ? [] : [row.steadyP99Ratio]));
  if (noise.length > 0) {
    lines.push(
      `Noise floor of this machine in this run: with nothing changing, the p99 of the second half of a baseline's steady window was`,
      `×${Math.min(...noise)} to ×${Math.max(...noise)} that of its first half. A p99 ratio inside that range is not the switch's doing.`,
      '',
    );
  }

  lines.push(
    '## 2. Rollback latency',
    '',
    `Release 2 live, release 1 retained; release 2's alarm set to ALARM (SetAlarmState). From the EventBridge event to the listener write`,
    `that puts the default action back on release 1, with every API call the local cloud answered in between (time scale ${r.rollback.timeScale};`,
    'a standby or scaled-to-zero release waits for its instances and health checks, AWS time in the last column).',
    '',
  );
  table(
    ['retained release', 'alarm → routed (real ms)', 'listener writes', 'reads', 'other writes', 'calls on the critical path', 'AWS time (s)'],
    r.rollback.rows.map((row) => [row.retention, row.detectToRoutedMs, row.listenerWrites, row.reads, row.otherWrites, calls(row.apiCalls), row.detectToRoutedAwsSeconds]),
  );

  lines.push(
    '## 3. Cost of a deployment',
    '',
    `Release 2 beside release 1 at time scale ${r.deploymentCost.timeScale} (health checks, bake, retention nearly free). Our own time: each step`,
    'handler from its call to the task leaving (or failing) in the execution history, the hold (a task-token wait) left out.',
    `Price: ${r.deploymentCost.priceSource}. Every task attempt is one Lambda invocation besides.`,
    '',
  );
  table(
    ['strategy', 'wall (ms)', 'own time (ms)', 'configured waits (ms)', 'task attempts', 'state transitions', 'price (USD)', 'API calls', 'by operation', 'slowest steps (ms)'],
    r.deploymentCost.rows.map((row) => [
      row.strategy,
      row.wallMs,
      row.ownMs,
      row.configuredWaitsMs,
      row.taskAttempts,
      row.stateTransitions,
      row.priceUsd.toFixed(6),
      row.apiCallsTotal,
      calls(row.apiCalls),
      row.slowestSteps.map((s) => `${s.step} ${s.ms}`).join(', '),
    ]),
  );

  lines.push(
    '## 4. Entry points',
    '',
    `Bundles built with serverless.yml's esbuild options (minified ESM, SDK bundled); zip: \`.serverless/<function>.zip\` of the last`,
    `\`npm run package\`. Cold init: a fresh Node process importing the bundle with the functions' environment, ${r.entryPoints.coldInitRuns} runs,`,
    'with `--enable-source-maps` (serverless.yml sets it in NODE_OPTIONS) and without.',
    '',
  );
  table(
    ['function', 'bundle (KiB)', 'zip (KiB)', 'cold init p50 / p99 (ms)', 'without source maps p50 / p99 (ms)'],
    r.entryPoints.bundles.map((b) => [b.function, b.bundleKiB, b.zipKiB ?? 'not packaged', `${b.coldInitMs.p50} / ${b.coldInitMs.p99}`, `${b.coldInitWithoutSourceMapsMs.p50} / ${b.coldInitWithoutSourceMapsMs.p99}`]),
  );
  lines.push('Warm handler answers (in process, against dynalite and the local Step Functions server; "far inside" = p99 under a tenth of the budget):', '');
  table(
    ['handler', 'calls', 'p50 (ms)', 'p99 (ms)', 'caller waits at most'],
    r.entryPoints.handlers.map((h) => [h.handler, h.calls, h.p50, h.p99, `${h.budgetMs / 1000} s`]),
  );
  if (r.entryPoints.coldStartScript) lines.push('`scripts/measure-cold-start.ts` in the same run (its probes; SDK bundled vs external):', '', r.entryPoints.coldStartScript, '');

  lines.push(
    '## 5. Scale',
    '',
    `N services behind one load balancer (one listener each, instances in-process), all deploying release 2 at once with the header`,
    `canary (two listener rules per service while it runs). Time scale ${r.scale.timeScale}: polling runs 1/${1 / r.scale.timeScale} of its AWS interval, so calls per`,
    'real second are inflated by that much; per AWS second is the rate AWS would see. Budgets: ELBv2 Describe calls refill at 10/s, 100 rules per load balancer.',
    '',
  );
  table(
    ['services', 'succeeded', 'wall (ms)', 'ELBv2 Describe calls', 'per AWS second (mean)', 'peak per real second', 'peak rules', 'all API calls'],
    r.scale.rows.map((s) => [s.services, `${s.succeeded} / ${s.services}`, s.wallMs, s.elbv2Describes, s.describesPerAwsSecond, s.peakDescribesPerRealSecond, `${s.peakRules} / 100`, s.apiCallsTotal]),
  );

  lines.push('## Every target', '');
  table(['figure', 'target', 'measured', 'met'], r.targets.map((t) => [t.figure, t.target, t.measured, t.met ? 'yes' : '**no**']));
  return `${lines.join('\n')}\n`;
}

function windows(row: ZeroDowntimeRow, figure: 'failed' | 'p50' | 'p99'): string {
  const launch = row.kind === 'baseline' ? '–' : row.launch[figure];
  return `${row.before[figure]} / ${launch} / ${row.during[figure]} / ${row.after[figure]}`;
}

function calls(counts: ApiCallCounts): string {
  return Object.values(counts)
    .flatMap((ops) => Object.entries(ops))
    .sort((a, b) => b[1] - a[1])
    .map(([op, n]) => `${op} ${n}`)
    .join(', ');
}
