// Slack: the real middy handler, the store on dynalite, Step Functions on
// moto; response_url answers go to a local HTTP server.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as alarm from '../../functions/alarm.ts';
import { createLogger } from '../../functions/lib/logging.ts';
import { createHandler } from '../../functions/slack.ts';
import { createSlackApi } from '../../functions/lib/slack-api.ts';
import { cachedGroupMembers, type GroupMembers } from '../../functions/lib/slack-authorization.ts';
import type { SlackMessage } from '../../functions/lib/slack-message.ts';
import { alarmEvent, fixture, signedSlackRequest, slackButtonPress, slackCommand, TEST_SLACK_SECRET } from '../support/events.ts';
import { motoAvailable } from '../support/servers.ts';
import { captureOutput, CONFIG, lambdaContext, newWorld, startEmulators, type Emulators, type World } from './harness.ts';


const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';
const RELEASER = 'U0RELEASER';
const ON_CALL = 'U0ONCALL';
const INTRUDER = 'U0INTRUDER';

describe.skipIf(!motoAvailable)('Slack', () => {
  let emulators: Emulators;
  let world: World;
  let output: ReturnType<typeof captureOutput>;
  let responses: Server;
  let responded: SlackMessage[];
  let responseUrl: string;

  beforeAll(async () => {
    emulators = await startEmulators();
    responses = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        responded.push(JSON.parse(body) as SlackMessage);
        res.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => responses.listen(0, '127.0.0.1', resolve));
    responseUrl = `http://127.0.0.1:${(responses.address() as AddressInfo).port}/actions/T0001/1/secret-part`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => responses.close(() => resolve()));
    await emulators?.stop();
  });
  beforeEach(async () => {
    world = await newWorld(emulators);
    responded = [];
    output = captureOutput();
  });
  afterEach(() => output.restore());

  function slack(options: { groupMembers?: GroupMembers } = {}) {
    return createHandler({
      config: CONFIG,
      store: world.store,
      executions: world.executions,
      signingSecret: () => Promise.resolve(TEST_SLACK_SECRET),
      slack: createSlackApi(),
      ...(options.groupMembers ? { groupMembers: options.groupMembers } : {}),
      logger: createLogger('slack'),
    });
  }

  async function send(event: APIGatewayProxyEventV2, handler = slack()) {
    const result = (await handler(event, lambdaContext())) as APIGatewayProxyStructuredResultV2;
    return { statusCode: result.statusCode ?? 0, message: result.body ? (JSON.parse(result.body) as SlackMessage & { message?: string }) : null };
  }

  /** A deployment of web waiting in `kind` for release 4, as the workflow leaves it. */
  async function waiting(kind: 'promotion' | 'bake' = 'promotion') {
    const executionName = `web-${SHA.slice(0, 12)}-d1`;
    await world.store.claim('web', { executionName, version: SHA, trigger: { kind: 'push', by: 'github:octocat', deliveryId: 'd1' } });
    const { executionArn } = await world.executions.start(executionName, { service: 'web', version: SHA, trigger: { kind: 'push', by: 'github:octocat', deliveryId: 'd1' } });
    const token = await world.taskToken(executionName);
    await world.store.putWait('web', { executionArn, token, kind, releaseNumber: 4, expiresAt: '2026-11-23T10:00:00.000Z' });
    return { executionName, token };
  }

  async function stillWaiting(executionName: string) {
    expect((await world.store.getWait('web'))?.taken).toBeNull();
    expect((await world.executions.describe(world.executions.arnOf(executionName))).status).toBe('RUNNING');
  }

  describe('/deploy', () => {
    it('shows the status of a deployment, only to the caller', async () => {
      // Prepare
      await waiting();

      // Act
      const answer = await send(slackCommand('status web'));

      // Assess
      expect(answer.statusCode).toBe(200);
      expect(answer.message?.response_type).toBe('ephemeral');
      expect(answer.message?.text).toBe('web: deploying 4b825dc: waiting for promotion of release 4 until 2026-11-23T10:00:00.000Z');
      expect(answer.message?.blocks?.find((b) => b.type === 'actions')).toBeDefined();
    });

    it('promotes the waiting release for an allowed user, in the channel, well within 3 s', async () => {
      // Prepare
      const { executionName } = await waiting();

      // Act
      const started = performance.now();
      const answer = await send(slackCommand('promote web header checks are green'));
      const elapsed = performance.now() - started;

      // Assess
      expect(answer.message).toEqual({ response_type: 'in_channel', text: `<@${RELEASER}> promoted web (release 4): header checks are green` });
      expect(await world.outputOf(executionName)).toEqual({ action: 'promote', by: `slack:${RELEASER}`, reason: 'header checks are green' });
      expect(elapsed).toBeLessThan(1500);
    });

    it('lets a member of an allowed user group roll back, looking the group up once', async () => {
      // Prepare
      const { executionName } = await waiting('bake');
      let lookups = 0;
      const groupMembers: GroupMembers = (group) => {
        lookups++;
        return Promise.resolve(group === 'S0ONCALL' ? [ON_CALL] : []);
      };
      const handler = slack({ groupMembers: cachedGroupMembers(groupMembers) });

      // Act
      const status = await send(slackCommand('status web', { user: ON_CALL }), handler);
      const rollback = await send(slackCommand('rollback web', { user: ON_CALL }), handler);
      const again = await send(slackCommand('rollback web', { user: ON_CALL }), handler);

      // Assess
      expect(status.message?.response_type).toBe('ephemeral');
      expect(rollback.message?.text).toBe(`<@${ON_CALL}> rolled back web (release 4): /deploy rollback in Slack`);
      expect(again.message?.text).toMatch(new RegExp(`^Refused: web: the bake wait of release 4 was already taken by slack:${ON_CALL} \\(rollback\\) at `));
      expect(lookups).toBe(1);
      expect(await world.outputOf(executionName)).toMatchObject({ action: 'rollback', by: `slack:${ON_CALL}` });
    });

    it.each([
      ['a user who is neither listed nor in a group', slackCommand('promote web', { user: INTRUDER }), `<@${INTRUDER}> may not promote web`],
      ['a command from another channel', slackCommand('promote web', { channel: 'C0RANDOM' }), 'accepted only in <#C0DEPLOYS>'],
    ])('refuses %s, ephemerally, and changes nothing', async (_case, event, reason) => {
      // Prepare
      const { executionName } = await waiting();

      // Act
      const answer = await send(event);

      // Assess
      expect(answer.statusCode).toBe(200);
      expect(answer.message?.response_type).toBe('ephemeral');
      expect(answer.message?.text).toContain(reason);
      expect(answer.message?.text).toContain('Nothing changed.');
      await stillWaiting(executionName);
    });

    it('says why group membership could not be checked without a bot token', async () => {
      const answer = await send(slackCommand('promote web', { user: ON_CALL }));
      expect(answer.message?.text).toContain('group membership cannot be checked: no Slack bot token is configured');
    });

    it.each([
      ['a stale timestamp', slackCommand('promote web', { timestamp: Math.floor(Date.now() / 1000) - 301 }), 'more than 5 minutes'],
      ['a timestamp from the future', slackCommand('promote web', { timestamp: Math.floor(Date.now() / 1000) + 400 }), 'more than 5 minutes'],
      ['a signature made with another secret', slackCommand('promote web', { secret: 'not-the-secret' }), 'does not match'],
    ])('rejects %s with 401 and changes nothing', async (_case, event, reason) => {
      // Prepare
      const { executionName } = await waiting();

      // Act
      const answer = await send(event);

      // Assess
      expect(answer.statusCode).toBe(401);
      expect(answer.message?.message).toContain(reason);
      await stillWaiting(executionName);
    });

    it.each([
      ['an unknown service', 'promote shop', 'Unknown service "shop"; configured: web, api, docs'],
      ['an unknown command', 'deploy web', 'unknown command "deploy"'],
      ['a command without its service', 'promote', '`promote` needs a service'],
    ])('answers %s with the reason and the usage', async (_case, text, reason) => {
      const answer = await send(slackCommand(text));
      expect(answer.message).toMatchObject({ response_type: 'ephemeral' });
      expect(answer.message?.text).toContain(reason);
    });

    it('records an abort request while the deployment waits for nothing', async () => {
      // Prepare
      await world.store.claim('web', { executionName: 'web-1', version: SHA, trigger: { kind: 'push', by: 'github:octocat' } });

      // Act
      const answer = await send(slackCommand('abort web wrong build'));

      // Assess
      expect(answer.message?.text).toBe(`<@${RELEASER}> asked to abort web (version ${SHA}): it stops before its next step`);
      expect(await world.store.abortRequested('web', 'web-1')).toMatchObject({ by: `slack:${RELEASER}`, reason: 'wrong build' });
    });

    it('refuses an abort naming a deployment that has ended, naming the one running, which gets no abort', async () => {
      // Prepare: web-1 ended and handed the lock to web-2, which runs now
      const deployment = (name: string) => ({ executionName: name, version: SHA, trigger: { kind: 'push' as const, by: 'github:octocat' } });
      const ended = `web-${SHA.slice(0, 12)}-d1`;
      const running = `web-${SHA.slice(0, 12)}-d2`;
      await world.store.claim('web', deployment(ended));
      await world.store.claim('web', deployment(running));
      await world.store.finish('web', ended);

      // Act
      const stale = await send(slackCommand(`abort web ${ended} wrong build`));
      const named = await send(slackCommand(`abort web ${running} wrong build`));

      // Assess
      expect(stale.message).toMatchObject({ response_type: 'ephemeral' });
      expect(stale.message?.text).toBe(
        `Refused: web: the deployment you aborted, ${ended}, has ended; ${running} (version ${SHA}) is running now: abort it by name (\`/deploy abort web ${running}\`). Nothing changed.`,
      );
      expect(named.message?.text).toBe(`<@${RELEASER}> asked to abort web (version ${SHA}): it stops before its next step`);
      expect((await world.store.history('web', 20)).filter((e) => e.kind === 'abort-requested').map((e) => [e.executionName, e.reason])).toEqual([[running, 'wrong build']]);
    });

    it('refuses a form without the user, naming the field', async () => {
      // Prepare
      const event = slackCommand('status web');
      const form = new URLSearchParams(event.body);
      form.delete('user_id');

      // Act
      const answer = await send(signedSlackRequest('/slack', fixture<{ headers: Record<string, string> }>('slack/command').headers, form.toString()));

      // Assess
      expect(answer.statusCode).toBe(400);
      expect(answer.message?.message).toBe('form field user_id is missing');
    });
  });

  describe('buttons', () => {
    it('promotes from the message and answers through response_url', async () => {
      // Prepare
      const { executionName } = await waiting();

      // Act
      const answer = await send(slackButtonPress({ action: 'promote', service: 'web', releaseNumber: 4, kind: 'promotion' }, { responseUrl }));

      // Assess
      expect(answer).toEqual({ statusCode: 200, message: null });
      expect(responded).toEqual([{ response_type: 'in_channel', replace_original: false, text: `<@${RELEASER}> promoted web (release 4): promote button in Slack` }]);
      expect(await world.outputOf(executionName)).toMatchObject({ action: 'promote', by: `slack:${RELEASER}` });
    });

    it('still answers Slack with 200 when response_url cannot be reached, the promotion done', async () => {
      // Prepare
      const { executionName } = await waiting();

      // Act
      const answer = await send(slackButtonPress({ action: 'promote', service: 'web', releaseNumber: 4, kind: 'promotion' }, { responseUrl: 'http://127.0.0.1:1/gone' }));

      // Assess
      expect(answer.statusCode).toBe(200);
      expect(await world.outputOf(executionName)).toMatchObject({ action: 'promote' });
      expect(output.text()).toContain('could not answer through response_url');
    });

    it.each([
      ['of a message the deployment has moved past', { action: 'promote' as const, service: 'web', releaseNumber: 4, kind: 'bake' }, {}, 'waiting in promotion of release 4, not in bake'],
      ['of an unauthorized user', { action: 'rollback' as const, service: 'web', releaseNumber: 4, kind: 'promotion' }, { user: INTRUDER }, `<@${INTRUDER}> may not rollback web`],
    ])('refuses a press %s through response_url and changes nothing', async (_case, button, who, reason) => {
      // Prepare
      const { executionName } = await waiting();

      // Act
      await send(slackButtonPress(button, { responseUrl, ...who }));

      // Assess
      expect(responded).toHaveLength(1);
      expect(responded[0]).toMatchObject({ response_type: 'ephemeral' });
      expect(responded[0]?.text).toContain(reason);
      await stillWaiting(executionName);
    });
  });

  it('lets exactly one of a Slack promote and an ALARM at the same moment take the wait', async () => {
    // Prepare
    const { executionName } = await waiting('bake');
    const alarmHandler = alarm.createHandler({ config: CONFIG, store: world.store, executions: world.executions, logger: createLogger('alarm') });

    // Act
    const [promoted, alarmed] = await Promise.all([
      send(slackCommand('promote web')),
      alarmHandler(alarmEvent('alarm-state-alarm'), lambdaContext()),
    ]);

    // Assess
    const output = (await world.outputOf(executionName)) as { action: string };
    const slackWon = promoted.message?.response_type === 'in_channel';
    const alarmWon = alarmed.outcome === 'rollback-signalled';
    expect([slackWon, alarmWon].filter(Boolean)).toHaveLength(1);
    expect(output.action).toBe(slackWon ? 'promote' : 'rollback');
    const loser = slackWon ? alarmed.reason : promoted.message?.text;
    expect(loser).toContain(`already taken by ${slackWon ? `slack:${RELEASER}` : 'alarm:bg-web-4-5xx'}`);
  });

  it('never logs the signing secret, a task token or a response_url', async () => {
    // Prepare
    const { token } = await waiting();

    // Act
    await send(slackCommand('status web'));
    await send(slackCommand('promote web', { secret: 'forged' }));
    await send(slackButtonPress({ action: 'promote', service: 'web', releaseNumber: 4, kind: 'promotion' }, { responseUrl }));

    // Assess
    const logs = output.text();
    expect(logs).toContain('"durationMs"');
    for (const secret of [TEST_SLACK_SECRET, token, 'secret-part']) expect(logs).not.toContain(secret);
  });
});
