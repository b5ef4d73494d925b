// Figure 5, scale: N services behind one load balancer (one listener each),
// instances in-process, every service deploying release 2 at the same moment
// with the header canary (two rules per service while it runs: the most rules
// a strategy holds). Measured: how many complete, ELBv2 Describe calls per
// second against the 10/s refill of its Describe bucket, and the peak rule
// count against the 100-rule limit of a load balancer.
import { startStack, type Strategy } from './stack.ts';
import { round } from './windows.ts';

export const ELBV2_DESCRIBE_REFILL_PER_SECOND = 10;
export const RULES_PER_LOAD_BALANCER = 100;

export interface ScaleRow {
  services: number;
  strategy: Strategy;
  succeeded: number;
  wallMs: number;
  elbv2Describes: number;
  /** Per real second at this time scale: polling is faster than on AWS by 1 ÷ time scale. */
  peakDescribesPerRealSecond: number;
  /** Mean over the wave per AWS second (real seconds ÷ time scale): what AWS would see. */
  describesPerAwsSecond: number;
  peakRules: number;
  apiCallsTotal: number;
}

export async function measureScale(services: number, timeScale: number): Promise<ScaleRow> {
  const strategy: Strategy = 'header-canary';
  let rules = 0;
  let peakRules = 0;
  const stack = await startStack({
    services,
    strategy,
    timeScale,
    instanceMode: 'inline',
    capacity: 1,
    bakeSeconds: 10,
    cloudLog: (entry) => {
      if (entry.event === 'rule-created') peakRules = Math.max(peakRules, ++rules);
      if (entry.event === 'rule-deleted') rules -= 1;
    },
  });
  try {
    const wave = async (version: string) => {
      const arns = await Promise.all(stack.serviceNames.map((name) => stack.deploy(name, version)));
      return Promise.all(arns.map((arn) => stack.engine.runtime.waitForExecution(arn)));
    };
    const first = await wave('1.0.0');
    const failedFirst = first.filter((d) => d.status !== 'SUCCEEDED');
    if (failedFirst.length > 0) throw new Error(`${failedFirst.length} of ${services} first releases failed: ${failedFirst[0]!.error} ${failedFirst[0]!.cause}`);

    stack.cloud.resetApiCalls();
    peakRules = rules;
    const describes = () => Object.entries(stack.cloud.apiCalls().elasticloadbalancing ?? {}).reduce((sum, [op, n]) => (op.startsWith('Describe') ? sum + n : sum), 0);
    let last = 0;
    let peak = 0;
    const sample = () => {
      const now = describes();
      peak = Math.max(peak, now - last);
      last = now;
    };
    const sampler = setInterval(sample, 1000);
    const t0 = Date.now();
    const second = await wave('2.0.0').finally(() => clearInterval(sampler));
    const wallMs = Date.now() - t0;
    sample(); // the last, partial second
    const total = describes();
    const calls = stack.cloud.apiCalls();
    return {
      services,
      strategy,
      succeeded: second.filter((d) => d.status === 'SUCCEEDED').length,
      wallMs,
      elbv2Describes: total,
      peakDescribesPerRealSecond: peak,
      describesPerAwsSecond: round(total / (wallMs / 1000 / timeScale), 2),
      peakRules,
      apiCallsTotal: Object.values(calls).reduce((sum, ops) => sum + Object.values(ops).reduce((a, b) => a + b, 0), 0),
    };
  } finally {
    await stack.stop();
  }
}
