// The Slack Web API port against a local stand-in for slack.com/api: what is
// sent (method, token, form fields) and how Slack's answers are read.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigInvalid, SlackRequestFailed } from '../../functions/core/errors.ts';
import { createSlackApi } from '../../functions/lib/slack-api.ts';
import { deploymentMessage } from '../../functions/lib/slack-message.ts';

describe('Slack Web API', () => {
  let server: Server;
  let baseUrl: string;
  let received: { path: string; headers: IncomingHttpHeaders; form: URLSearchParams }[];
  let answer: Record<string, unknown>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({ path: req.url ?? '', headers: req.headers, form: new URLSearchParams(body) });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    received = [];
    answer = { ok: true };
  });

  const api = () => createSlackApi({ botToken: () => Promise.resolve('xoxb-test'), baseUrl });

  it('lists the members of a user group with the bot token', async () => {
    // Prepare
    answer = { ok: true, users: ['U1', 'U2'] };

    // Act
    const members = await api().usergroupMembers('S0ONCALL');

    // Assess
    expect(members).toEqual(['U1', 'U2']);
    expect(received[0]).toMatchObject({ path: '/api/usergroups.users.list', headers: { authorization: 'Bearer xoxb-test' } });
    expect(received[0]?.form.get('usergroup')).toBe('S0ONCALL');
  });

  it('posts the deployment message and updates it in place', async () => {
    // Prepare
    answer = { ok: true, ts: '1795342600.000200' };
    const message = deploymentMessage({ service: 'web', history: [] });

    // Act
    const { ts } = await api().postMessage('C0DEPLOYS', message);
    await api().updateMessage('C0DEPLOYS', ts, message);

    // Assess
    expect(ts).toBe('1795342600.000200');
    expect(received.map((r) => [r.path, r.form.get('channel'), r.form.get('ts')])).toEqual([
      ['/api/chat.postMessage', 'C0DEPLOYS', null],
      ['/api/chat.update', 'C0DEPLOYS', '1795342600.000200'],
    ]);
    expect(JSON.parse(received[0]!.form.get('blocks')!)).toEqual(message.blocks);
  });

  it('turns an error answer into SlackRequestFailed naming Slack’s error', async () => {
    // Prepare
    answer = { ok: false, error: 'channel_not_found' };

    // Act + Assess
    await expect(api().postMessage('C0NONE', { text: 'x' })).rejects.toThrow(SlackRequestFailed);
    await expect(api().postMessage('C0NONE', { text: 'x' })).rejects.toThrow('chat.postMessage failed: channel_not_found');
  });

  it('needs a bot token for Web API calls', async () => {
    await expect(createSlackApi({ baseUrl }).usergroupMembers('S0ONCALL')).rejects.toThrow(ConfigInvalid);
    expect(received).toEqual([]);
  });
});
