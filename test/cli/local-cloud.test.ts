// The CLI with --local against a running local cloud and engine: the same
// commands, the same engine, only the endpoints differ.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../cli/main.ts';
import { SERVICE, startWorld, type World } from '../reliability/workflow-world.ts';

describe('bluegreen --local against the local cloud', () => {
  let world: World;
  let localFile: string;
  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run([...argv, '--local'], { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), env: { USER: 'tester' }, localFile });
    return { code, stdout: out.join(''), stderr: err.join('') };
  };

  beforeAll(async () => {
    world = await startWorld({ strategy: { type: 'header-canary', promotion: 'manual' } });
    const dir = mkdtempSync(join(tmpdir(), 'bluegreen-local-'));
    const configFile = join(dir, 'services.json');
    writeFileSync(configFile, JSON.stringify(world.config));
    localFile = join(dir, 'local.json');
    writeFileSync(
      localFile,
      JSON.stringify({
        awsEndpoint: world.cloud.endpoint,
        stepFunctionsEndpoint: world.engine.stepFunctionsEndpoint,
        dynamodbEndpoint: world.dynamodbEndpoint,
        tableName: 'bluegreen',
        stateMachineArn: world.engine.stateMachineArn,
        configFile,
      }),
    );
  }, 60_000);
  afterAll(() => world?.stop());

  it('deploys, shows the canary, refuses a plan while it runs, promotes, and lists the history', async () => {
    expect((await cli('deploy', SERVICE, '--version', '1.0.0', '--watch', '--interval', '0.05')).code).toBe(0);
    expect(await world.listener()).toMatchObject({ default: 'bg-shop-1' });

    const deploy = await cli('deploy', SERVICE, '--version', '2.0.0');
    expect(deploy.code).toBe(0);
    await world.waitFor('promotion');

    const status = await cli('status', SERVICE, '--json');
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout) as { phase: string; deployment: { version: string; wait: { kind: string } | null } };
    expect(view.phase).toBe('canary');
    expect(view.deployment).toMatchObject({ version: '2.0.0', wait: { kind: 'promotion' } });

    const plan = await cli('plan', SERVICE, '--version', '3.0.0');
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain('DeploymentInProgress');

    expect((await cli('promote', SERVICE, '--reason', 'canary looks good')).code).toBe(0);
    await world.waitFor('retention');
    expect(await world.listener()).toMatchObject({ default: 'bg-shop-2 (bg-shop-1 attached)', green: 'fixed 404', blue: 'bg-shop-2' });

    const history = await cli('history', SERVICE, '--json');
    expect(history.code).toBe(0);
    const { deployments } = JSON.parse(history.stdout) as { deployments: Array<{ version: string; signals: Array<{ action: string; by: string }> }> };
    expect(deployments.find((r) => r.version === '2.0.0')?.signals).toEqual([expect.objectContaining({ action: 'promote', by: 'cli:tester' })]);
  }, 60_000);
});
