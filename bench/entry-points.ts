// Figure 4, entry points: each Lambda bundle built with serverless.yml's
// esbuild options (size of the .mjs, and the packaged zip when `npm run
// package` made one), its cold init in fresh Node processes (source maps on,
// as NODE_OPTIONS sets them), and the answer time of the
// webhook and Slack handlers against dynalite and the local Step Functions
// server.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SlackApi } from '../functions/lib/slack-api.ts';
import { createHandler as createSlackHandler } from '../functions/slack.ts';
import { slackCommand } from '../local/signed-requests.ts';
import { lambdaContext, startStack } from './stack.ts';
import { percentiles, round } from './windows.ts';
import { bundleOptions } from '../scripts/bundle-options.ts';

export const FUNCTIONS = ['webhook', 'slack', 'alarm', 'step'] as const;
const projectRoot = resolve(import.meta.dirname, '..');

export interface BundleRow {
  function: string;
  bundleKiB: number;
  /** `.serverless/<function>.zip` from the last `npm run package`, when present. */
  zipKiB: number | null;
  coldInitMs: { p50: number; p99: number };
  /** The same without --enable-source-maps: what the source maps cost at init. */
  coldInitWithoutSourceMapsMs: { p50: number; p99: number };
}

export interface HandlerRow {
  handler: 'webhook (GitHub push)' | 'slack (/deploy status)';
  calls: number;
  p50: number;
  p99: number;
  /** What the caller waits at most: GitHub 10 s, Slack 3 s. */
  budgetMs: number;
}


/** The functions' environment in serverless.yml, with NODE_OPTIONS' --enable-source-maps as a flag. */
const lambdaEnvironment = {
  TABLE_NAME: 'bluegreen',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:bluegreen-deploy',
  BLUEGREEN_CONFIG_FILE: join(projectRoot, 'services.json'),
  POWERTOOLS_SERVICE_NAME: 'bluegreen',
  LOG_LEVEL: 'INFO',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
};

const initProbe = `
  const t0 = performance.now();
  await import(process.env.BUNDLE_URL);
  console.log(JSON.stringify({ initMs: performance.now() - t0 }));
`;

export async function measureBundles(runs: number): Promise<BundleRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bluegreen-bench-'));
  try {
    symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
    const rows: BundleRow[] = [];
    for (const fn of FUNCTIONS) {
      const outfile = join(dir, `${fn}.mjs`);
      const result = await build({ ...bundleOptions, sourcemap: 'linked', entryPoints: [join(projectRoot, 'functions', `${fn}.ts`)], outfile, metafile: true, logLevel: 'error' });
      const bytes = Object.entries(result.metafile.outputs).reduce((sum, [file, o]) => (file.endsWith('.mjs') ? sum + o.bytes : sum), 0);
      const zip = join(projectRoot, '.serverless', `${fn}.zip`);
      const inits = Array.from({ length: runs }, () => initOnce(outfile, ['--enable-source-maps']));
      const plain = Array.from({ length: runs }, () => initOnce(outfile, []));
      rows.push({
        function: fn,
        bundleKiB: Math.round(bytes / 1024),
        zipKiB: existsSync(zip) ? Math.round(statSync(zip).size / 1024) : null,
        coldInitMs: percentiles(inits),
        coldInitWithoutSourceMapsMs: percentiles(plain),
      });
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function initOnce(file: string, nodeFlags: string[]): number {
  const result = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', initProbe], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, BUNDLE_URL: pathToFileURL(file).href, ...lambdaEnvironment },
  });
  if (result.status !== 0) throw new Error(`importing ${file} failed: ${result.stderr.slice(-600)}`);
  return (JSON.parse(result.stdout.trim().split('\n').pop()!) as { initMs: number }).initMs;
}

/** scripts/measure-cold-start.ts as is: SDK bundled vs external vs source maps, on its probes. */
export function measureColdStartScript(runs: number): string {
  const result = spawnSync(process.execPath, [join(projectRoot, 'scripts', 'measure-cold-start.ts'), '--runs', String(runs)], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`scripts/measure-cold-start.ts failed: ${result.stderr}`);
  return result.stdout.trim();
}

export async function measureHandlers(calls: number): Promise<HandlerRow[]> {
  const stack = await startStack({ services: 1, strategy: 'blue-green', timeScale: 1, instanceMode: 'inline' });
  try {
    const signingSecret = randomBytes(24).toString('hex');
    const quiet: SlackApi = {
      usergroupMembers: () => Promise.resolve([]),
      respond: () => Promise.resolve(),
      postMessage: () => Promise.resolve({ ts: '1' }),
      updateMessage: () => Promise.resolve(),
    };
    const slack = createSlackHandler({
      config: stack.config,
      store: stack.engine.store,
      executions: stack.engine.executions,
      logger: new Logger({ serviceName: 'bluegreen', logLevel: 'SILENT' }),
      signingSecret: () => Promise.resolve(signingSecret),
      slack: quiet,
    });
    let release = 0;
    const webhook = async () => {
      release += 1;
      const answer = await stack.webhook(stack.pushEvent('shop', `1.0.${release}`));
      if (answer.statusCode !== 202 && answer.statusCode !== 200) throw new Error(`webhook answered ${answer.statusCode}: ${answer.body}`);
    };
    const status = async () => {
      const answer = (await slack(slackCommand({ secret: signingSecret, text: 'status shop', user: 'U0BENCH', channel: 'C0BENCH' }), lambdaContext)) as APIGatewayProxyStructuredResultV2;
      if (answer.statusCode !== 200) throw new Error(`slack answered ${answer.statusCode}: ${answer.body}`);
    };
    return [
      { handler: 'webhook (GitHub push)', calls, ...(await timeCalls(webhook, calls)), budgetMs: 10_000 },
      { handler: 'slack (/deploy status)', calls, ...(await timeCalls(status, calls)), budgetMs: 3000 },
    ];
  } finally {
    await stack.stop();
  }
}

async function timeCalls(call: () => Promise<void>, calls: number): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < 3; i++) await call(); // warm: the first call of a Lambda container is in the cold init figure
  const times: number[] = [];
  for (let i = 0; i < calls; i++) {
    const t0 = performance.now();
    await call();
    times.push(round(performance.now() - t0, 1));
  }
  return percentiles(times);
}
