// The command line itself, without AWS: help for every command that matches
// what its parser accepts, usage errors that exit 2 and say what is wrong,
// `--local` without its file, and `validate`.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parserOptions } from '../../cli/command.ts';
import { COMMANDS } from '../../cli/commands/index.ts';
import { checkStateMachine, type ValidateView } from '../../cli/commands/validate.ts';
import { buildDefinition } from '../../statemachines/build.ts';
import { runCaptured } from './capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'bluegreen-cli-line-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

function serviceDocument(overrides: Record<string, unknown> = {}) {
  const name = typeof overrides.name === 'string' ? overrides.name : 'web';
  return {
    name,
    github: { repository: 'acme/web' },
    listener: { loadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/${name}/1`, listenerArn: `arn:aws:elasticloadbalancing:us-east-1:1:listener/app/${name}/1/2` },
    launchTemplate: { id: 'lt-1' },
    subnets: ['subnet-a'],
    targetGroup: { vpcId: 'vpc-1' },
    ...overrides,
  };
}

const goodConfig = file('good.json', { services: [serviceDocument(), serviceDocument({ name: 'api' })] });
const badConfig = file('bad.json', {
  services: [serviceDocument({ name: 'Web!', strategy: { type: 'weighted-canary', steps: [50, 10] } }), serviceDocument({ name: 'api', subnets: [] })],
});

describe('help', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s --help documents exactly the options its parser accepts', async (name, command) => {
    // Act
    const result = await runCaptured([name, '--help']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: bluegreen ${name} `));
    expect(result.stdout).toContain('Exit codes: 0 ok; 1 the operation failed or was refused; 2 usage error');
    const documented = [...result.stdout.matchAll(/^ {2}(?:-\w, )?--([a-z][a-z-]*)/gm)].map((m) => m[1]!);
    expect(documented.sort()).toEqual(Object.keys(parserOptions(command)).sort());
  });

  it('bluegreen --help lists every command and the exit codes', async () => {
    // Act
    const result = await runCaptured(['--help']);

    // Assess
    expect(result.code).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^ {2}${command.name} +\\S`, 'm'));
    expect(result.stdout).toContain('Exit codes: 0 ok; 1 the operation failed or was refused; 2 usage error');
  });
});

describe('usage errors exit 2 and say what is wrong', () => {
  const withConfig = { env: { BLUEGREEN_CONFIG_FILE: goodConfig } };
  it.each([
    ['no command', [], {}, /^Usage: bluegreen <command>/],
    ['an unknown command', ['stats', 'web'], {}, /^bluegreen: unknown command "stats"; commands: status, plan, deploy, promote, rollback, abort, history, validate, rehearse\n/],
    ['a missing service', ['status'], {}, /^bluegreen status: missing <service>\n/],
    ['an extra argument', ['status', 'web', 'api'], {}, /^bluegreen status: unexpected argument "api"\n/],
    ['an unknown option', ['status', 'web', '--verbose'], {}, /^bluegreen status: Unknown option '--verbose'\n/],
    ['a missing --version', ['deploy', 'web'], withConfig, /^bluegreen deploy: --version is required\n/],
    ['a value missing', ['plan', 'web', '--version'], withConfig, /^bluegreen plan: Option '--version <value>' argument missing\n/],
    ['a --limit out of range', ['history', 'web', '--limit', '0'], withConfig, /^bluegreen history: --limit: expected a whole number from 1 to 100, got "0"\n/],
    ['a --interval that is no number', ['deploy', 'web', '--version', '1', '--interval', 'soon'], withConfig, /^bluegreen deploy: --interval: expected a number from 0.05 to 300, got "soon"\n/],
    ['no configuration', ['status', 'web'], {}, /^bluegreen status: no services configuration: pass --config FILE, or set BLUEGREEN_CONFIG_FILE/],
    ['an unknown service', ['status', 'webb'], withConfig, /^bluegreen status: unknown service "webb"; configured: web, api\n$/],
    ['an invalid configuration', ['status', 'web', '--config', badConfig], {}, /^bluegreen status: invalid configuration: services\[0\]\.name: .*\(bluegreen validate lists every problem\)/],
  ] as const)('%s', async (_case, argv, options, message) => {
    // Act
    const result = await runCaptured([...argv], options);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(message);
  });

  it('--local without the local cloud\'s file names the file and how to get it', async () => {
    // Prepare
    const missing = join(dir, 'nowhere', '.bluegreen', 'local.json');

    // Act
    const result = await runCaptured(['status', 'web', '--local'], { localFile: missing });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`bluegreen status: --local: ${missing} does not exist: start the local cloud first (npm start), it writes this file\nRun "bluegreen status --help" for usage.\n`);
  });

  it('--local with an incomplete file names the missing fields', async () => {
    // Prepare
    const incomplete = file('local.json', { awsEndpoint: 'http://127.0.0.1:4566', tableName: 't' });

    // Act
    const result = await runCaptured(['status', 'web', '--local'], { localFile: incomplete });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--local: .*local\.json: stepFunctionsEndpoint: .*; dynamodbEndpoint: .*; stateMachineArn: .*; configFile: /);
  });
});

describe('bluegreen validate', () => {
  it('accepts a good configuration and the packaged state machine', async () => {
    // Act
    const result = await runCaptured(['validate', '--config', goodConfig]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      `configuration (${goodConfig}): valid, 2 service(s): web, api`,
      expect.stringMatching(/^state machine \(.*statemachines\/deploy\.asl\.json\): valid, \d+ states, matches statemachines\/build\.ts$/),
      '',
    ]);
  });

  it('reports every bad field by its path and exits 1', async () => {
    // Act
    const result = await runCaptured(['validate'], { env: { BLUEGREEN_CONFIG_FILE: badConfig } });

    // Assess
    expect(result.code).toBe(1);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`configuration (${badConfig}): 4 problem(s)`);
    expect(lines.slice(1, 5)).toEqual([
      '  services[0].name: lower-case letters, digits and dashes, 23 characters at most',
      '  services[0].strategy.steps: steps must increase',
      '  services[0].strategy.steps: the last step must be 100',
      expect.stringMatching(/^ {2}services\[1\]\.subnets: /),
    ]);
    expect(lines[5]).toMatch(/^state machine \(.*deploy\.asl\.json\): valid, \d+ states, matches statemachines\/build\.ts$/);
  });

  it('--json gives the problems as data', async () => {
    // Act
    const result = await runCaptured(['validate', '--config', badConfig, '--json']);

    // Assess
    expect(result.code).toBe(1);
    const view = JSON.parse(result.stdout) as ValidateView;
    expect(view.config).toMatchObject({ source: badConfig, valid: false, services: [] });
    expect(view.config.problems).toContain('services[0].strategy.steps: steps must increase');
    expect(view.stateMachine).toMatchObject({ valid: true, matchesBuild: true, problems: [] });
    expect(view.stateMachine.states).toBeGreaterThan(10);
  });

  it('reports a configuration that is not JSON', async () => {
    // Act
    const result = await runCaptured(['validate', '--config', file('broken.json', '{ "services": [')]);

    // Assess
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^configuration \(.*broken\.json\): 1 problem\(s\)\n {2}BLUEGREEN_CONFIG_FILE \(.*broken\.json\) is not valid JSON: /);
  });

  it('finds a state machine that is not valid ASL, or that differs from what build.ts builds', () => {
    // Prepare
    const built = buildDefinition() as { States: Record<string, Record<string, unknown>> };
    const broken = file('broken.asl.json', { ...built, States: { ...built.States, Prepare: { ...built.States.Prepare, Next: 'Nowhere' } } });
    const stale = file('stale.asl.json', { ...built, Comment: 'edited by hand' });

    // Act
    const brokenCheck = checkStateMachine(broken);
    const staleCheck = checkStateMachine(stale);

    // Assess
    expect(brokenCheck.valid).toBe(false);
    expect(brokenCheck.problems).toContainEqual(expect.stringMatching(/Nowhere/));
    expect(staleCheck).toMatchObject({ valid: false, matchesBuild: false });
    expect(staleCheck.problems).toEqual(['differs from what statemachines/build.ts builds: run `node statemachines/build.ts` and commit the result']);
  });
});
