// Requests as GitHub and Slack send them to the HTTP API: an API Gateway v2
// event with the body signed the way each signs it (GitHub: HMAC-SHA256 of
// the body; Slack: v0 HMAC-SHA256 of `v0:timestamp:body`). The rehearsal and
// the benchmarks start deployments this way, through the real handlers.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHmac, randomUUID } from 'node:crypto';

/** A push of `commit` to `branch` of `repository` that adds `files`. */
export function githubPush(options: { secret: string; repository: string; commit: string; branch?: string; files?: string[]; pusher?: string }): APIGatewayProxyEventV2 {
  const { commit, repository } = options;
  const files = options.files ?? ['VERSION'];
  const change = { id: commit, message: 'release', added: files, removed: [], modified: [] };
  const body = JSON.stringify({
    ref: `refs/heads/${options.branch ?? 'main'}`,
    before: '0'.repeat(40),
    after: commit,
    created: false,
    deleted: false,
    forced: false,
    repository: { full_name: repository, name: repository.split('/')[1], owner: { login: repository.split('/')[0] } },
    pusher: { name: options.pusher ?? 'bluegreen' },
    sender: { login: options.pusher ?? 'bluegreen' },
    head_commit: change,
    commits: [change],
  });
  const signature = `sha256=${createHmac('sha256', options.secret).update(body).digest('hex')}`;
  return httpEvent('/github', { 'content-type': 'application/json', 'x-github-event': 'push', 'x-github-delivery': randomUUID(), 'x-hub-signature-256': signature }, body);
}

/** A `/deploy <text>` slash command from `user` in `channel`, signed now. */
export function slackCommand(options: { secret: string; text: string; user: string; channel: string }): APIGatewayProxyEventV2 {
  const body = new URLSearchParams({
    command: '/deploy',
    text: options.text,
    user_id: options.user,
    user_name: options.user,
    channel_id: options.channel,
    team_id: 'T0001',
    response_url: 'http://127.0.0.1:9/response',
  }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', options.secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return httpEvent('/slack/commands', { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature }, body);
}

export function httpEvent(path: string, headers: Record<string, string>, body: string): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bluegreen-local' },
      requestId: randomUUID(),
      routeKey: `POST ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
  };
}
