// The GitHub webhook: the real middy handler, the store on dynalite, Step
// Functions on moto. Every refusal is checked against both: nothing started.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createManifestReader, type ManifestReader } from '../../functions/lib/github-manifest.ts';
import { createLogger } from '../../functions/lib/logging.ts';
import { requiredSecret, secretIfExists, secretStores } from '../../functions/lib/secrets.ts';
import { createDeploymentStore } from '../../functions/adapters/store.ts';
import { createHandler, DELIVERY_TTL_SECONDS } from '../../functions/webhook.ts';
import { githubDelivery, signGitHub, TEST_GITHUB_SECRET } from '../support/events.ts';
import { emulatorClientConfig, motoAvailable } from '../support/servers.ts';
import { captureOutput, CONFIG, lambdaContext, newWorld, startEmulators, type Emulators, type World } from './harness.ts';


const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const PREVIOUS_SECRET = 'test-github-webhook-secret-0000';

interface Answer {
  statusCode: number;
  body: { message?: string; error?: string; results?: { service: string; status: string; executionName: string; version: string }[]; skipped?: { service: string; reason: string }[] };
}

describe.skipIf(!motoAvailable)('GitHub webhook', () => {
  let emulators: Emulators;
  let world: World;
  let output: ReturnType<typeof captureOutput>;

  beforeAll(async () => {
    emulators = await startEmulators();
  });
  afterAll(() => emulators?.stop());
  beforeEach(async () => {
    world = await newWorld(emulators);
    output = captureOutput();
  });
  afterEach(() => output.restore());

  function webhook(options: { previous?: string; manifests?: ManifestReader; store?: World['store'] } = {}) {
    return createHandler({
      config: CONFIG,
      store: options.store ?? world.store,
      executions: world.executions,
      secrets: {
        current: () => Promise.resolve(TEST_GITHUB_SECRET),
        ...(options.previous ? { previous: () => Promise.resolve(options.previous!) } : {}),
      },
      ...(options.manifests ? { manifests: options.manifests } : {}),
      logger: createLogger('webhook'),
    });
  }

  async function send(event: APIGatewayProxyEventV2, handler = webhook()): Promise<Answer> {
    const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
    return { statusCode: result.statusCode ?? 0, body: JSON.parse(result.body ?? '{}') as Answer['body'] };
  }

  async function nothingStarted() {
    expect(await world.listExecutions()).toEqual([]);
    expect(await world.store.active('web')).toBeNull();
  }

  it('starts exactly one execution for a push to the deploy branch', async () => {
    // Act
    const answer = await send(githubDelivery('push'));

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(answer.body.results).toEqual([{ service: 'web', version: SHA, status: 'started', executionName: 'web-4b825dc642cb-6f1a2b30c7d4', executionArn: expect.any(String) as string }]);
    expect(answer.body.skipped).toEqual([{ service: 'api', reason: 'the push changes nothing under services/api/' }]);
    expect(await world.listExecutions()).toEqual([
      {
        name: 'web-4b825dc642cb-6f1a2b30c7d4',
        status: 'RUNNING',
        input: { service: 'web', version: SHA, trigger: { kind: 'push', by: 'github:octocat', deliveryId: '6f1a2b30-c7d4-11f0-8a3e-52b1c4f0a9d1', commit: SHA } },
      },
    ]);
  });

  it('starts one execution when the same delivery arrives twice', async () => {
    // Act
    const first = await send(githubDelivery('push'));
    const second = await send(githubDelivery('push'));

    // Assess
    expect([first.statusCode, second.statusCode]).toEqual([202, 200]);
    expect(second.body.message).toContain('already handled');
    expect(await world.listExecutions()).toHaveLength(1);
  });

  it('starts one execution when the same delivery arrives twice at the same moment', async () => {
    // Act
    const answers = await Promise.all([send(githubDelivery('push')), send(githubDelivery('push'))]);

    // Assess
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 202]);
    expect(await world.listExecutions()).toHaveLength(1);
  });

  it('answers a redelivery after the dedupe window of a deployed push with 200 "already handled", starting nothing and keeping no lock', async () => {
    // Prepare: the push deployed, its execution succeeded and released the lock (as Finish does)
    const first = await send(githubDelivery('push'));
    const { executionName } = first.body.results![0]!;
    await world.executions.sendSuccess(await world.taskToken(executionName), { action: 'promote', by: 'cli:test', reason: 'done' });
    await world.outputOf(executionName);
    await world.store.finish('web', executionName);
    const eightDaysLater = createDeploymentStore(emulators.dynamo, world.tableName, { now: () => new Date(Date.now() + DELIVERY_TTL_SECONDS * 1000 + 86_400_000) });

    // Act: GitHub's "Redeliver", past the week the delivery id is remembered
    const again = await send(githubDelivery('push'), webhook({ store: eightDaysLater }));

    // Assess
    expect(again.statusCode).toBe(200);
    expect(again.body.message).toBe('delivery 6f1a2b30-c7d4-11f0-8a3e-52b1c4f0a9d1 was already handled; nothing started');
    expect(again.body.results).toMatchObject([{ service: 'web', status: 'already-handled', executionName, executionStatus: 'SUCCEEDED' }]);
    expect(await world.listExecutions()).toHaveLength(1);
    expect(await world.store.active('web')).toBeNull();
    const history = await world.store.history('web', 10);
    expect(history.filter((e) => e.kind === 'started')).toHaveLength(1);
    expect(history.filter((e) => e.kind === 'redelivered').map((e) => e.executionName)).toEqual([executionName]);
  });

  it('queues pushes made during a deployment; the newest is what finishing hands over', async () => {
    // Prepare
    const at = (sha: string) => (p: { after: string }) => void (p.after = sha);
    const running = await send(githubDelivery('push'));
    const shaB = 'b'.repeat(40);
    const shaC = 'c'.repeat(40);

    // Act
    const b = await send(githubDelivery('push', { deliveryId: 'delivery-b', edit: at(shaB) }));
    const c = await send(githubDelivery('push', { deliveryId: 'delivery-c', edit: at(shaC) }));
    const { next } = await world.store.finish('web', running.body.results![0]!.executionName);

    // Assess
    expect([b.body.results?.[0]?.status, c.body.results?.[0]?.status]).toEqual(['queued', 'queued']);
    const history = await world.store.history('web', 10);
    expect(history.filter((e) => e.kind === 'queued').map((e) => e.version)).toEqual([shaC, shaB]);
    expect(history.find((e) => e.kind === 'superseded')?.version).toBe(shaB);
    expect(next).toMatchObject({ version: shaC, trigger: { deliveryId: 'delivery-c' } });
    expect(await world.listExecutions()).toHaveLength(1);
  });

  it('starts every service of the repository the push concerns', async () => {
    // Act
    const answer = await send(githubDelivery('push', { edit: (p) => p.commits[0]!.modified.push('services/api/routes.ts') }));

    // Assess
    expect(answer.body.results?.map((r) => [r.service, r.status])).toEqual([
      ['web', 'started'],
      ['api', 'started'],
    ]);
    expect(await world.listExecutions()).toHaveLength(2);
  });

  it('asks the running deployment to abort for a newer push when the service supersedes', async () => {
    // Prepare: api (onPush: supersede) and web (queue) both deploy pushes under services/api/
    const apiPush = (sha: string, deliveryId: string) =>
      githubDelivery('push', { deliveryId, edit: (p) => ((p.after = sha), void (p.commits[0]!.modified = ['services/api/routes.ts'])) });
    const first = await send(apiPush('1'.repeat(40), 'delivery-1'));
    const running = Object.fromEntries(first.body.results!.map((r) => [r.service, r.executionName]));

    // Act
    const second = await send(apiPush('2'.repeat(40), 'delivery-2'));

    // Assess
    expect(second.body.results?.map((r) => [r.service, r.status])).toEqual([
      ['web', 'queued'],
      ['api', 'queued'],
    ]);
    expect(await world.store.abortRequested('api', running.api!)).toMatchObject({ by: 'github:octocat', reason: `superseded by version ${'2'.repeat(40)}` });
    expect(await world.store.abortRequested('web', running.web!)).toBeNull();
  });

  it('verifies a base64-encoded body as sent', async () => {
    // Act
    const answer = await send(githubDelivery('push', { base64: true }));

    // Assess
    expect(answer.statusCode).toBe(202);
    expect(await world.listExecutions()).toHaveLength(1);
  });

  it('accepts the previous secret during a rotation, and only then', async () => {
    // Prepare
    const signedWithPrevious = () => githubDelivery('push', { secret: PREVIOUS_SECRET });

    // Act
    const withoutRotation = await send(signedWithPrevious());
    const duringRotation = await send(signedWithPrevious(), webhook({ previous: PREVIOUS_SECRET }));

    // Assess
    expect([withoutRotation.statusCode, duringRotation.statusCode]).toEqual([401, 202]);
    expect(await world.listExecutions()).toHaveLength(1);
  });

  it('answers a ping', async () => {
    const answer = await send(githubDelivery('ping'));
    expect(answer).toEqual({ statusCode: 200, body: { message: 'pong' } });
  });

  it.each([
    ['no signature', githubDelivery('push', { secret: null }), 401, 'missing X-Hub-Signature-256'],
    ['a signature made with another secret', githubDelivery('push', { secret: 'not-the-secret' }), 401, 'does not match'],
    ['a body changed after signing', tamper(githubDelivery('push')), 401, 'does not match'],
    ['a malformed body', githubDelivery('push', { body: '{"ref": "refs/heads/main",' }), 400, 'not valid JSON'],
    ['a push without its head commit', githubDelivery('push', { edit: (p) => void delete (p as Partial<typeof p>).after }), 400, 'after'],
    ['no event header', githubDelivery('push', { headers: { 'X-GitHub-Event': '' } }), 400, 'X-GitHub-Event'],
    ['a body over 1 MB', githubDelivery('push', { body: JSON.stringify({ padding: 'x'.repeat(1024 * 1024) }) }), 413, 'over the limit'],
  ])('refuses %s and starts nothing', async (_case, event, status, reason) => {
    // Act
    const answer = await send(event);

    // Assess
    expect(answer.statusCode).toBe(status);
    expect(answer.body.message).toContain(reason);
    await nothingStarted();
  });

  it('refuses a forged request with 401 outside a rotation, when the previous secret does not exist in SSM, asking SSM for it once per five minutes', async () => {
    // Prepare: the current secret in SSM (moto); the previous one's parameter does not exist.
    const ssm = new SSMClient(emulatorClientConfig(emulators.motoEndpoint));
    const asked: string[] = [];
    ssm.middlewareStack.add((next) => (args) => (asked.push(String((args.input as { Name?: string }).Name)), next(args)), { step: 'initialize' });
    const current = `/bluegreen/${world.tableName}/webhook-secret`;
    const previous = `/bluegreen/${world.tableName}/webhook-secret-previous`;
    await ssm.send(new PutParameterCommand({ Name: current, Type: 'SecureString', Value: TEST_GITHUB_SECRET }));
    const env = { GITHUB_WEBHOOK_SECRET_PARAM: current, GITHUB_WEBHOOK_PREVIOUS_SECRET_PARAM: previous };
    const stores = secretStores(ssm);
    const handler = createHandler({
      config: CONFIG,
      store: world.store,
      executions: world.executions,
      secrets: { current: requiredSecret(env, 'GITHUB_WEBHOOK_SECRET', stores), previous: secretIfExists(env, 'GITHUB_WEBHOOK_PREVIOUS_SECRET', stores) },
      logger: createLogger('webhook'),
    });
    asked.length = 0;

    // Act
    const forged = [await send(githubDelivery('push', { secret: 'forged' }), handler), await send(githubDelivery('push', { secret: 'forged' }), handler)];

    // Assess
    expect(forged.map((a) => a.statusCode)).toEqual([401, 401]);
    expect(forged[0]!.body.message).toContain('does not match');
    expect(asked.filter((name) => name === previous)).toHaveLength(1);
    await nothingStarted();
    ssm.destroy();
  });

  it.each([
    ['an unsupported event', githubDelivery('push', { headers: { 'X-GitHub-Event': 'issues' } }), 'event "issues" is not handled'],
    ['a tag push', githubDelivery('push-tag'), 'refs/tags/v2.4.0 is not a branch'],
    ['a branch deletion', githubDelivery('push-branch-deleted'), 'branch main was deleted'],
    ['a push to another branch', githubDelivery('push', { edit: (p) => void (p.ref = 'refs/heads/feature/x') }), 'branch feature/x is not the deploy branch main'],
    ['an unknown repository', githubDelivery('push', { edit: (p) => void (p.repository.full_name = 'acme/other') }), 'no service configured for acme/other'],
  ])('acknowledges %s with the reason and starts nothing', async (_case, event, reason) => {
    // Act
    const answer = await send(event);

    // Assess
    expect(answer.statusCode).toBe(202);
    expect([answer.body.message, ...(answer.body.skipped ?? []).map((s) => s.reason)].join('; ')).toContain(reason);
    await nothingStarted();
  });

  it('refuses a service that reads its version from a manifest when no GitHub token is configured', async () => {
    // Act
    const answer = await send(githubDelivery('push', { edit: (p) => void (p.repository.full_name = 'acme/docs') }));

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(answer.body.message).toContain('docs read the version from github.manifest, but no GitHub token is configured');
    expect(await world.listExecutions()).toEqual([]);
  });

  describe('with a GitHub token', () => {
    let github: Server;
    let seen: { url: string; headers: IncomingHttpHeaders }[];

    beforeAll(async () => {
      github = createServer((req, res) => {
        seen.push({ url: req.url ?? '', headers: req.headers });
        const found = req.url === `/repos/acme/docs/contents/VERSION?ref=${SHA}`;
        res.writeHead(found ? 200 : 404).end(found ? '1.4.2\n' : '{"message":"Not Found"}');
      });
      await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => github.close(() => resolve())));
    beforeEach(() => {
      seen = [];
    });

    const manifests = () =>
      createManifestReader({ token: () => Promise.resolve('ghs_test_token'), baseUrl: `http://127.0.0.1:${(github.address() as AddressInfo).port}` });
    const docsPush = (p: { repository: { full_name: string } }) => void (p.repository.full_name = 'acme/docs');

    it('deploys the version the manifest holds at the pushed commit', async () => {
      // Act
      const answer = await send(githubDelivery('push', { edit: docsPush }), webhook({ manifests: manifests() }));

      // Assess
      expect(answer.body.results?.[0]).toMatchObject({ service: 'docs', version: '1.4.2', status: 'started' });
      expect((await world.listExecutions())[0]?.input).toMatchObject({ service: 'docs', version: '1.4.2', trigger: { commit: SHA } });
      expect(seen[0]?.headers.authorization).toBe('Bearer ghs_test_token');
    });

    it('refuses a push whose commit has no manifest', async () => {
      // Act
      const answer = await send(githubDelivery('push', { edit: (p) => (docsPush(p), void (p.after = 'd'.repeat(40))) }), webhook({ manifests: manifests() }));

      // Assess
      expect(answer.statusCode).toBe(400);
      expect(answer.body.message).toContain(`manifest VERSION in acme/docs at ${'d'.repeat(40)} does not exist`);
      expect(await world.listExecutions()).toEqual([]);
    });
  });

  it('logs delivery, service, version and execution, and never a secret or a signature', async () => {
    // Prepare
    const valid = githubDelivery('push');
    const forged = githubDelivery('push', { secret: 'forged' });

    // Act
    await send(valid, webhook({ previous: PREVIOUS_SECRET }));
    await send(forged, webhook({ previous: PREVIOUS_SECRET }));
    const logs = output.text();

    // Assess
    const lines = logs.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.message === 'deployment started')).toMatchObject({
      deliveryId: '6f1a2b30-c7d4-11f0-8a3e-52b1c4f0a9d1',
      deployment: { service: 'web', version: SHA, execution: 'web-4b825dc642cb-6f1a2b30c7d4' },
    });
    expect(lines.some((l) => l.level === 'WARN' && l.status === 401)).toBe(true);
    for (const secret of [TEST_GITHUB_SECRET, PREVIOUS_SECRET, valid.headers['x-hub-signature-256']!, forged.headers['x-hub-signature-256']!]) {
      expect(logs).not.toContain(secret);
    }
  });
});

/** The event with one byte of its body changed, keeping the original signature. */
function tamper(event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 {
  const body = event.body!.replace('octocat', 'octodog');
  expect(signGitHub(TEST_GITHUB_SECRET, body)).not.toBe(event.headers['x-hub-signature-256']);
  return { ...event, body };
}
