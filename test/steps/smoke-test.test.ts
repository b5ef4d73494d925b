// The header canary's smoke test, against a real HTTP server on loopback: it
// passes only when the answer comes from the new release, which a status
// alone cannot tell while the listener change propagates.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SmokeTestFailed } from '../../functions/core/errors.ts';
import type { StepDeps } from '../../functions/steps/deps.ts';
import { versionIn } from '../../functions/lib/smoke-check.ts';
import { smokeTest } from '../../functions/steps/smoke-test.ts';
import type { WorkflowState } from '../../functions/steps/workflow-state.ts';
import { service } from '../core/fixtures.ts';

let server: Server;
let url: string;
/** What the load balancer answers next: by the `x-client-mode` header. */
let answer: (mode: string | undefined) => { status: number; body: string };

beforeAll(async () => {
  server = createServer((req, res) => {
    const { status, body } = answer(req.headers['x-client-mode'] as string | undefined);
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function deps(smoke: Record<string, unknown>): StepDeps {
  const config = { services: [service({ type: 'header-canary' }, { smokeTest: { url, ...smoke } })] };
  return { config, fetch: globalThis.fetch } as unknown as StepDeps;
}

const canary = { service: 'web', version: '2.0.0', phase: 'canary' } as WorkflowState;

describe('the smoke test', () => {
  it('passes when the green header reaches the version being deployed', async () => {
    answer = (mode) => ({ status: 200, body: JSON.stringify({ version: mode === 'green' ? '2.0.0' : '1.0.0' }) });
    await expect(smokeTest(deps({ versionField: 'version' }), canary)).resolves.toEqual(canary);
  });

  it('fails, naming both versions, when the header still reaches the live release (the rule has not propagated)', async () => {
    answer = () => ({ status: 200, body: JSON.stringify({ version: '1.0.0' }) });
    const run = smokeTest(deps({ versionField: 'version' }), canary);
    await expect(run).rejects.toBeInstanceOf(SmokeTestFailed);
    await expect(run).rejects.toThrow('reached version "1.0.0" (field "version"), expected 2.0.0');
  });

  it('fails on a status other than the expected one', async () => {
    answer = () => ({ status: 404, body: '{}' });
    await expect(smokeTest(deps({}), canary)).rejects.toThrow('green answered 404, expected 200');
  });

  it('fails when the answer is not JSON naming a version', async () => {
    answer = () => ({ status: 200, body: '<html>ok</html>' });
    await expect(smokeTest(deps({ versionField: 'version' }), canary)).rejects.toThrow('reached version null');
  });

  it('fails naming the socket error when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const config = { services: [service({ type: 'header-canary' }, { smokeTest: { url: `http://127.0.0.1:${port}/` } })] };

    const run = smokeTest({ config, fetch: globalThis.fetch } as unknown as StepDeps, canary);

    await expect(run).rejects.toBeInstanceOf(SmokeTestFailed);
    await expect(run).rejects.toThrow(`GET http://127.0.0.1:${port}/ with x-client-mode: green failed: fetch failed (ECONNREFUSED)`);
  });

  it('runs only in the header canary, once traffic has shifted', async () => {
    answer = () => ({ status: 500, body: '' });
    const provisioned = { ...canary, phase: 'provisioned' } as WorkflowState;
    await expect(smokeTest(deps({}), provisioned)).resolves.toEqual(provisioned);
  });
});

describe('the version in an answer', () => {
  it.each([
    ['{"version":"2.0.0"}', 'version', '2.0.0'],
    ['{"build":{"version":"2.0.0"}}', 'build.version', '2.0.0'],
    ['{"version":7}', 'version', '7'],
    ['{"version":null}', 'version', undefined],
    ['{"build":"x"}', 'build.version', undefined],
    ['not json', 'version', undefined],
  ])('%s at %s is %s', (body, field, expected) => {
    expect(versionIn(body, field)).toBe(expected);
  });
});
