// `bluegreen rehearse`: the local rehearsal of a real deployment under live
// traffic (local/rehearsal.ts). `npm start` runs it with the defaults.
import { writeFileSync } from 'node:fs';
import { renderHtml } from '../local/report.ts';
import { rehearse, SCENARIOS, STRATEGIES, type Scenario, type Strategy } from '../local/rehearsal.ts';
import { EXIT, UsageError, type Command } from './command.ts';
import { DEFAULT_LOCAL_FILE } from './io.ts';

export const rehearseCommand: Command = {
  name: 'rehearse',
  summary: 'rehearse a deployment locally under live traffic (npm start)',
  description: [
    'Starts the local cloud (a load balancer on loopback, instances of the sample app, CloudWatch alarms), runs the real',
    'workflow and entry points against it, and keeps a steady load on the service while version 1.0.0 is replaced.',
    'Scenarios: happy = 1.0.0 → 2.0.0 promoted; bad-release = then a faulty 3.0.0 whose alarm rolls back to 2.0.0;',
    'never-healthy = 2.0.0 never passes its health checks, nothing shifts and it is removed.',
    'Deploys start as a signed GitHub push into the webhook handler; the header canary is promoted through the Slack handler.',
    'While it runs, `bluegreen status shop --local` (in another terminal) reads the same endpoints.',
    'Progress goes to stderr. Exits 1 when any request failed (no answer, or a 502/503/504 from the load balancer).',
  ].join('\n'),
  args: [],
  options: {
    strategy: { type: 'string', value: 'NAME', description: `${STRATEGIES.join(' | ')} (default header-canary)` },
    scenario: { type: 'string', value: 'NAME', description: `${SCENARIOS.join(' | ')} (default bad-release)` },
    rps: { type: 'string', value: 'N', description: 'requests per second of the steady load (default 50)' },
    'time-scale': { type: 'string', value: 'X', description: 'real seconds per AWS second: health checks, bakes, alarm periods (default 0.2)' },
    json: { type: 'boolean', description: 'print only the report, as JSON, on stdout' },
    report: { type: 'string', value: 'FILE', description: 'also write a self-contained HTML report with a chart of traffic by version' },
  },
  async run(line, io) {
    const strategy = oneOf('strategy', line.values.strategy ?? 'header-canary', STRATEGIES) as Strategy;
    const scenario = oneOf('scenario', line.values.scenario ?? 'bad-release', SCENARIOS) as Scenario;
    const rps = positive('rps', line.values.rps ?? '50', 1000);
    const timeScale = positive('time-scale', line.values['time-scale'] ?? '0.2', 1);
    const json = line.values.json === true;

    const { report, samples } = await rehearse({ strategy, scenario, rps, timeScale, progress: (l) => io.stderr(`${l}\n`), localFile: io.localFile ?? DEFAULT_LOCAL_FILE });
    if (typeof line.values.report === 'string') writeFileSync(line.values.report, renderHtml(report, samples));
    if (json) io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else {
      io.stdout(
        [
          `rehearsal ${strategy} / ${scenario}: ${report.requests} requests, ${report.failed} failed, ${report.appErrors} app errors (injected)`,
          `versions seen in order: ${report.versionsSeen.join(' → ')}`,
          `latency p50 ${report.latencyMs.p50} ms, p99 ${report.latencyMs.p99} ms; ${report.stateTransitions} state transitions`,
          ...(report.rollback ? [`rollback: ${report.rollback.trigger} → traffic back on the good release in ${report.rollback.detectToRoutedMs} ms`] : []),
          ...(typeof line.values.report === 'string' ? [`report: ${line.values.report}`] : []),
          '',
        ].join('\n'),
      );
    }
    return report.failed === 0 ? EXIT.ok : EXIT.failed;
  },
};

function oneOf(flag: string, value: string | boolean, allowed: readonly string[]): string {
  if (typeof value !== 'string' || !allowed.includes(value)) throw new UsageError(`--${flag} must be one of ${allowed.join(', ')}; got "${String(value)}"`);
  return value;
}

function positive(flag: string, value: string | boolean, max: number): number {
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isFinite(n) || n <= 0 || n > max) throw new UsageError(`--${flag} must be a number above 0 and at most ${max}; got "${String(value)}"`);
  return n;
}
