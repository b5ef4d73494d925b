// The header canary's smoke test, against a real HTTP server on loopback: it
// passes only when the answer comes from the new release, which a status
// alone cannot tell while the listener change propagates. Sent by the step
// function itself, or (`smokeTest.from: 'vpc'`) by the probe function in the
// VPC, reached here through a scripted Lambda client that runs the probe's
// own handler.
import { InvokeCommand, LambdaClient, type InvokeCommandOutput, ResourceConflictException, ResourceNotFoundException, ResourceNotReadyException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { mockClient } from 'aws-sdk-client-mock';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProbe } from '../../functions/adapters/probe.ts';
import { AccessDenied, ConfigInvalid, ProbeFailed, ProbeNotReady, ResourceNotFound, SmokeTestFailed, Throttled } from '../../functions/core/errors.ts';
import { versionIn } from '../../functions/lib/smoke-check.ts';
import { createProbeHandler } from '../../functions/probe.ts';
import type { StepDeps } from '../../functions/steps/deps.ts';
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

function deps(smoke: Record<string, unknown>, extra: Partial<StepDeps> = {}): StepDeps {
  const config = { services: [service({ type: 'header-canary' }, { smokeTest: { url, ...smoke } })] };
  return { config, fetch: globalThis.fetch, ...extra } as unknown as StepDeps;
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

describe('the smoke test from the VPC (smokeTest.from: "vpc")', () => {
  const PROBE = 'bluegreen-dev-probe';
  const lambda = new LambdaClient({ region: 'us-east-1' });
  const mock = mockClient(lambda);
  const probeHandler = createProbeHandler({ fetch: globalThis.fetch, logger: new Logger({ logLevel: 'SILENT' }) });
  /** A Lambda answer's payload (the SDK's blob type is a Uint8Array). */
  const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)) as InvokeCommandOutput['Payload'];
  const fromVpc = (smoke: Record<string, unknown> = {}) =>
    deps({ from: 'vpc', ...smoke }, { probe: createProbe(lambda, PROBE), fetch: () => Promise.reject(new Error('the step function is in no VPC: it cannot reach the load balancer')) });
  const meta = { $metadata: { httpStatusCode: 400 } };

  beforeEach(() => {
    mock.reset();
    // Lambda, synchronously: the probe's own handler, its answer as the payload.
    mock.on(InvokeCommand).callsFake(async (input: { Payload: Uint8Array }) => ({
      StatusCode: 200,
      Payload: encode(await probeHandler(JSON.parse(new TextDecoder().decode(input.Payload)))),
    }));
  });

  it('passes when the probe reaches the version being deployed, and the step function sends no request itself', async () => {
    answer = (mode) => ({ status: 200, body: JSON.stringify({ version: mode === 'green' ? '2.0.0' : '1.0.0' }) });

    await expect(smokeTest(fromVpc({ versionField: 'version' }), canary)).resolves.toEqual(canary);

    const calls = mock.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.FunctionName).toBe(PROBE);
    expect(input.InvocationType ?? 'RequestResponse').toBe('RequestResponse');
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({
      url,
      headers: { 'x-client-mode': 'green' },
      timeoutMs: 10_000,
      expectStatus: 200,
      version: { field: 'version', expected: '2.0.0' },
    });
  });

  it.each([
    ['the live release answers', () => ({ status: 200, body: JSON.stringify({ version: '1.0.0' }) }), { versionField: 'version' }, 'green from the probe function reached version "1.0.0" (field "version"), expected 2.0.0'],
    ['another status', () => ({ status: 503, body: '' }), {}, 'green from the probe function answered 503, expected 200'],
  ])('fails with the probe\'s verdict when %s', async (_what, next, smoke, message) => {
    answer = next;

    const run = smokeTest(fromVpc(smoke), canary);

    await expect(run).rejects.toBeInstanceOf(SmokeTestFailed);
    await expect(run).rejects.toThrow(message);
  });

  it('fails as a smoke test when the probe cannot connect (the security group does not reach the listener)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const run = smokeTest(deps({ from: 'vpc', url: `http://127.0.0.1:${port}/` }, { probe: createProbe(lambda, PROBE) }), canary);

    await expect(run).rejects.toBeInstanceOf(SmokeTestFailed);
    await expect(run).rejects.toThrow(/from the probe function failed: fetch failed \(ECONNREFUSED\)/);
  });

  it('is refused, naming the field and the parameters, when the stack has no probe function', async () => {
    const run = smokeTest(deps({ from: 'vpc' }), canary);

    await expect(run).rejects.toBeInstanceOf(ConfigInvalid);
    await expect(run).rejects.toThrow('services[0].smokeTest.from: "vpc" needs the stack\'s probe function: deploy with the probeSubnetIds and probeSecurityGroupIds parameters');
  });

  it('fails with ProbeFailed, not as a smoke test, when the probe itself fails', async () => {
    mock.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: encode({ errorType: 'Sandbox.Timedout', errorMessage: 'Task timed out after 30.00 seconds' }) });

    const run = smokeTest(fromVpc(), canary);

    await expect(run).rejects.toBeInstanceOf(ProbeFailed);
    await expect(run).rejects.toThrow(`the probe function ${PROBE} failed: Sandbox.Timedout: Task timed out after 30.00 seconds`);
  });

  it('fails with ProbeFailed when the probe answers no verdict', async () => {
    mock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: encode({ ok: true }) });

    await expect(smokeTest(fromVpc(), canary)).rejects.toThrow(new ProbeFailed(`the probe function ${PROBE} answered no verdict: {"ok":true}`));
  });

  it.each([
    ['Pending (its network interfaces are being created)', () => new ResourceConflictException({ message: 'The operation cannot be performed at this time. The function is currently in the following state: Pending', ...meta }), ProbeNotReady, 'is not ready: ResourceConflictException'],
    ['Inactive after weeks unused', () => new ResourceNotReadyException({ message: 'The function is inactive and its VPC connection is no longer available.', $metadata: { httpStatusCode: 502 } }), ProbeNotReady, 'is not ready: ResourceNotReadyException'],
    ['throttled', () => new TooManyRequestsException({ message: 'Rate exceeded', ...meta, $metadata: { httpStatusCode: 429 } }), Throttled, 'lambda:InvokeFunction failed: TooManyRequestsException'],
    ['gone', () => new ResourceNotFoundException({ message: `Function not found: ${PROBE}`, ...meta }), ResourceNotFound, 'lambda:InvokeFunction failed: ResourceNotFoundException'],
    ['not allowed', () => Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/step is not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException', ...meta }), AccessDenied, 'missing permission lambda:InvokeFunction'],
  ])('maps Lambda\'s answer when the probe is %s to a named error', async (_what, error, named, message) => {
    mock.on(InvokeCommand).rejects(error());

    const run = smokeTest(fromVpc(), canary);

    await expect(run).rejects.toBeInstanceOf(named);
    await expect(run).rejects.toThrow(message);
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
