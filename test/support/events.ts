// Loads the fixtures of events/ and turns them into what the entry points
// receive: HTTP API v2 requests (headers lower-cased, as API Gateway sends
// them) signed the way GitHub and Slack sign them, and EventBridge events.
// Signatures are computed here from the test secrets below, never stored.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** The webhook secret the tests configure (documented test value, not a real secret). */
export const TEST_GITHUB_SECRET = 'test-github-webhook-secret-0001';
/** The Slack signing secret the tests configure. */
export const TEST_SLACK_SECRET = 'test-slack-signing-secret-0001';

export type GitHubFixture = 'push' | 'ping' | 'push-tag' | 'push-branch-deleted';
export type AlarmFixture = 'alarm-state-alarm' | 'alarm-state-ok';

interface HttpFixture {
  headers: Record<string, string>;
}

export interface GitHubPayload {
  ref: string;
  after: string;
  deleted: boolean;
  repository: { full_name: string };
  commits: { added: string[]; removed: string[]; modified: string[] }[];
  [key: string]: unknown;
}

export interface AlarmEvent {
  id: string;
  'detail-type': string;
  source: string;
  detail: { alarmName: string; state: { value: string; reason: string } };
  [key: string]: unknown;
}

/** A fresh copy of `events/<path>.json`. */
export function fixture<T>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../../events/${path}.json`, import.meta.url), 'utf8')) as T;
}

/** An HTTP API v2 request (also the shape of a function URL request). */
export function httpRequest(options: { path: string; headers: Record<string, string>; body: string; base64?: boolean }): APIGatewayProxyEventV2 {
  const event = fixture<APIGatewayProxyEventV2>('http/api-gateway-v2');
  event.rawPath = options.path;
  event.requestContext.http.path = options.path;
  event.routeKey = event.requestContext.routeKey = `POST ${options.path}`;
  event.headers = Object.fromEntries(Object.entries(options.headers).map(([k, v]) => [k.toLowerCase(), v]));
  event.body = options.base64 ? Buffer.from(options.body).toString('base64') : options.body;
  event.isBase64Encoded = options.base64 ?? false;
  return event;
}

export function signGitHub(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export interface GitHubOptions {
  /** Signs with this secret (default TEST_GITHUB_SECRET); null sends no signature header. */
  secret?: string | null;
  deliveryId?: string;
  edit?: (payload: GitHubPayload) => void;
  /** Replaces the JSON body (after signing nothing else). */
  body?: string;
  base64?: boolean;
  headers?: Record<string, string>;
}

/** A GitHub delivery of the fixture, signed as GitHub signs it. */
export function githubDelivery(name: GitHubFixture, options: GitHubOptions = {}): APIGatewayProxyEventV2 {
  const { headers, payload } = fixture<HttpFixture & { payload: GitHubPayload }>(`github/${name}`);
  options.edit?.(payload);
  const body = options.body ?? JSON.stringify(payload);
  const secret = options.secret === undefined ? TEST_GITHUB_SECRET : options.secret;
  return httpRequest({
    path: '/webhook',
    headers: {
      ...headers,
      ...(options.deliveryId ? { 'X-GitHub-Delivery': options.deliveryId } : {}),
      ...(secret === null ? {} : { 'X-Hub-Signature-256': signGitHub(secret, body) }),
      ...options.headers,
    },
    body,
    base64: options.base64 ?? false,
  });
}

export function signSlack(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export interface SlackOptions {
  secret?: string;
  /** Seconds since the epoch; default now. */
  timestamp?: number;
  user?: string;
  channel?: string;
  responseUrl?: string;
}

/** `/deploy <text>` as Slack posts it. */
export function slackCommand(text: string, options: SlackOptions = {}): APIGatewayProxyEventV2 {
  const { headers, form } = fixture<HttpFixture & { form: Record<string, string> }>('slack/command');
  form.text = text;
  if (options.user) form.user_id = options.user;
  if (options.channel) form.channel_id = options.channel;
  if (options.responseUrl) form.response_url = options.responseUrl;
  return signedSlackRequest('/slack', headers, new URLSearchParams(form).toString(), options);
}

/** A press of a deployment message button, as Slack posts it (`payload=` JSON). */
export function slackButtonPress(
  button: { action: 'promote' | 'rollback'; service: string; releaseNumber: number; kind: string },
  options: SlackOptions = {},
): APIGatewayProxyEventV2 {
  const { headers, payload } = fixture<HttpFixture & { payload: SlackInteraction }>('slack/interaction');
  const pressed = payload.actions[0]!;
  pressed.action_id = button.action;
  pressed.value = JSON.stringify({ service: button.service, releaseNumber: button.releaseNumber, kind: button.kind });
  if (options.user) payload.user.id = options.user;
  if (options.channel) payload.channel.id = payload.container.channel_id = options.channel;
  if (options.responseUrl) payload.response_url = options.responseUrl;
  return signedSlackRequest('/slack', headers, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), options);
}

export function signedSlackRequest(path: string, headers: Record<string, string>, body: string, options: SlackOptions = {}): APIGatewayProxyEventV2 {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return httpRequest({
    path,
    headers: {
      ...headers,
      'X-Slack-Request-Timestamp': String(timestamp),
      'X-Slack-Signature': signSlack(options.secret ?? TEST_SLACK_SECRET, timestamp, body),
    },
    body,
  });
}

/** A CloudWatch alarm state change as EventBridge delivers it. */
export function alarmEvent(name: AlarmFixture, edit: Partial<{ id: string; alarmName: string }> = {}): AlarmEvent {
  const event = fixture<AlarmEvent>(`cloudwatch/${name}`);
  if (edit.id) event.id = edit.id;
  if (edit.alarmName) event.detail.alarmName = edit.alarmName;
  return event;
}

interface SlackInteraction {
  user: { id: string };
  channel: { id: string };
  container: { channel_id: string };
  response_url: string;
  actions: { action_id: string; value: string }[];
}
