// Measures the cold start of a Lambda bundle with the AWS SDK v3 bundled in
// versus left external (loaded unbundled from node_modules, the way the
// nodejs22.x runtime provides it), each run in a fresh Node process.
// These numbers decide `custom.esbuild.external` in serverless.yml; a third
// variant measures what shipping source maps (`--enable-source-maps`) costs.
//
//   node scripts/measure-cold-start.ts [--runs 21]
//
// Two probes stand for the two kinds of function: `engine` imports every
// client the step function uses, `trigger` what the webhook / Slack / alarm
// functions use. Each probe builds its clients at module scope (as handlers
// do) and its handler makes one call per client against a closed loopback
// port, so the first call pays for credentials, signing and serialization
// without leaving the machine.
import { build, type BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleOptions } from './bundle-options.ts';

const projectRoot = resolve(import.meta.dirname, '..');


interface Variant {
  external: string[];
  sourcemap: BuildOptions['sourcemap'];
  nodeFlags: string[];
}

const variants: Record<string, Variant> = {
  'SDK bundled': { external: [], sourcemap: false, nodeFlags: [] },
  'SDK external': { external: ['@aws-sdk/*'], sourcemap: false, nodeFlags: [] },
  'SDK bundled + source maps': { external: [], sourcemap: 'linked', nodeFlags: ['--enable-source-maps'] },
};

const probes: Record<string, string> = {
  engine: `
    import { ElasticLoadBalancingV2Client, DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
    import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
    import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
    import { EC2Client, DescribeLaunchTemplateVersionsCommand } from '@aws-sdk/client-ec2';
    import { SFNClient, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
    import { STSClient, GetCallerIdentityCommand } from '@aws-sdk/client-sts';
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
    import { Logger } from '@aws-lambda-powertools/logger';
    const config = { region: 'us-east-1', endpoint: process.env.PROBE_ENDPOINT, maxAttempts: 1 };
    const logger = new Logger({ serviceName: 'probe' });
    const calls = [
      () => new ElasticLoadBalancingV2Client(config).send(new DescribeListenersCommand({ ListenerArns: ['arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/a/1/2'] })),
      () => new AutoScalingClient(config).send(new DescribeAutoScalingGroupsCommand({})),
      () => new CloudWatchClient(config).send(new DescribeAlarmsCommand({})),
      () => new EC2Client(config).send(new DescribeLaunchTemplateVersionsCommand({ LaunchTemplateId: 'lt-1' })),
      () => new SFNClient(config).send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:a:b' })),
      () => new STSClient(config).send(new GetCallerIdentityCommand({})),
      () => DynamoDBDocumentClient.from(new DynamoDBClient(config)).send(new GetCommand({ TableName: 't', Key: { pk: 'a', sk: 'b' } })),
    ];
    export async function handler() {
      const results = await Promise.allSettled(calls.map((call) => call()));
      logger.debug('done', { results: results.length });
      return results.length;
    }`,
  trigger: `
    import { SSMClient, GetParameterCommand } from '@aws-sdk/client-ssm';
    import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
    import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
    import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
    import { Logger } from '@aws-lambda-powertools/logger';
    import middy from '@middy/core';
    import { Webhooks } from '@octokit/webhooks';
    const config = { region: 'us-east-1', endpoint: process.env.PROBE_ENDPOINT, maxAttempts: 1 };
    const logger = new Logger({ serviceName: 'probe' });
    const webhooks = new Webhooks({ secret: 'probe' });
    const calls = [
      () => new SSMClient(config).send(new GetParameterCommand({ Name: '/probe', WithDecryption: true })),
      () => new SFNClient(config).send(new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:a', input: '{}' })),
      () => DynamoDBDocumentClient.from(new DynamoDBClient(config)).send(new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } })),
    ];
    export const handler = middy(async () => {
      await webhooks.verify('{}', 'sha256=00');
      const results = await Promise.allSettled(calls.map((call) => call()));
      logger.debug('done', { results: results.length });
      return results.length;
    });`,
};

/** Runs in each fresh process: imports the bundle (init), then calls the handler once. */
const runner = `
  const t0 = performance.now();
  const { handler } = await import(process.env.PROBE_URL);
  const t1 = performance.now();
  await handler({}, {});
  const t2 = performance.now();
  console.log(JSON.stringify({ initMs: t1 - t0, firstCallMs: t2 - t1 }));
`;

interface Sample {
  initMs: number;
  firstCallMs: number;
}

async function main(): Promise<void> {
  const runs = Number(argValue('--runs') ?? 21);
  const workDir = mkdtempSync(join(tmpdir(), 'bluegreen-coldstart-'));
  try {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const cases = await buildCases(workDir);
    const samples = new Map<string, Sample[]>(cases.map((c) => [c.name, []]));
    for (let i = 0; i < runs; i++) {
      for (const c of cases) samples.get(c.name)!.push(runOnce(c, endpoint));
    }
    printReport(cases, samples, runs);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

interface Case {
  name: string;
  file: string;
  nodeFlags: string[];
  bytes: number;
  gzipBytes: number;
}

async function buildCases(workDir: string): Promise<Case[]> {
  const cases: Case[] = [];
  for (const [probe, contents] of Object.entries(probes)) {
    for (const [variant, { external, sourcemap, nodeFlags }] of Object.entries(variants)) {
      const dir = join(workDir, `${probe}-${variant.replace(/\W+/g, '-')}`);
      mkdirSync(dir);
      // The external variant resolves the SDK at run time, as the Lambda runtime's own copy would be.
      symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const file = join(dir, 'index.mjs');
      await build({ ...bundleOptions, external, sourcemap, outfile: file, stdin: { contents, resolveDir: projectRoot, loader: 'ts' }, logLevel: 'error' });
      const code = readFileSync(file);
      cases.push({ name: `${probe} / ${variant}`, file, nodeFlags, bytes: code.length, gzipBytes: gzipSync(code).length });
    }
  }
  return cases;
}

function runOnce({ file, nodeFlags }: Case, endpoint: string): Sample {
  const result = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', runner], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      PROBE_URL: pathToFileURL(file).href,
      PROBE_ENDPOINT: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'probe',
      AWS_SECRET_ACCESS_KEY: 'probe',
      AWS_EC2_METADATA_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  });
  if (result.status !== 0) throw new Error(`probe ${file} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as Sample;
}

function printReport(cases: Case[], samples: Map<string, Sample[]>, runs: number): void {
  console.log(`Node ${process.versions.node}, ${runs} fresh processes per case (median / p90, ms)\n`);
  console.log('| case | bundle KiB (gzip) | init | first call | init + first call |');
  console.log('|---|---|---|---|---|');
  for (const c of cases) {
    const s = samples.get(c.name)!;
    const init = s.map((x) => x.initMs);
    const first = s.map((x) => x.firstCallMs);
    const total = s.map((x) => x.initMs + x.firstCallMs);
    const kib = (n: number) => (n / 1024).toFixed(0);
    console.log(`| ${c.name} | ${kib(c.bytes)} (${kib(c.gzipBytes)}) | ${stat(init)} | ${stat(first)} | ${stat(total)} |`);
  }
}

function stat(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return `${at(0.5).toFixed(0)} / ${at(0.9).toFixed(0)}`;
}

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** A loopback port nothing listens on: every SDK call fails fast with ECONNREFUSED. */
function closedPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

await main();
