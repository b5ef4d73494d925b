// The few Slack Web API calls in use, behind one small port: user group
// members (authorization), answers to a `response_url`, and the deployment
// message (chat.postMessage / chat.update). Each call is bounded in time.
import { ConfigInvalid, SlackRequestFailed } from '../core/errors.ts';
import type { SecretReader } from './secrets.ts';
import type { SlackMessage } from './slack-message.ts';

export interface SlackApi {
  usergroupMembers(groupId: string): Promise<string[]>;
  /** Answers an interaction or a command later, through its `response_url`. */
  respond(responseUrl: string, message: SlackMessage): Promise<void>;
  postMessage(channel: string, message: SlackMessage): Promise<{ ts: string }>;
  updateMessage(channel: string, ts: string, message: SlackMessage): Promise<void>;
}

export interface SlackApiOptions {
  /** `xoxb-…`; without it only `respond` works. */
  botToken?: SecretReader;
  /** Default `https://slack.com/api` (tests point it at a local server). */
  baseUrl?: string;
  timeoutMs?: number;
}

export const SLACK_TIMEOUT_MS = 1500;

export function createSlackApi(options: SlackApiOptions = {}): SlackApi {
  const baseUrl = options.baseUrl ?? 'https://slack.com/api';
  const timeoutMs = options.timeoutMs ?? SLACK_TIMEOUT_MS;

  const web = async (method: string, body: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (!options.botToken) throw new ConfigInvalid(`Slack ${method} needs a bot token: set SLACK_BOT_TOKEN_PARAM`);
    const res = await send(`${baseUrl}/${method}`, formBody(body), timeoutMs, await options.botToken());
    const answer = (await res.json()) as { ok?: boolean; error?: string } & Record<string, unknown>;
    if (answer.ok !== true) throw new SlackRequestFailed(`Slack ${method} failed: ${answer.error ?? `HTTP ${res.status}`}`);
    return answer;
  };

  return {
    async usergroupMembers(groupId) {
      const answer = await web('usergroups.users.list', { usergroup: groupId });
      return Array.isArray(answer.users) ? answer.users.map(String) : [];
    },

    async respond(responseUrl, message) {
      const res = await send(responseUrl, { type: 'application/json; charset=utf-8', text: JSON.stringify(message) }, timeoutMs);
      if (!res.ok) throw new SlackRequestFailed(`Slack response_url answered ${res.status}`);
    },

    async postMessage(channel, message) {
      const answer = await web('chat.postMessage', { channel, ...message });
      return { ts: String(answer.ts) };
    },

    async updateMessage(channel, ts, message) {
      await web('chat.update', { channel, ts, ...message });
    },
  };
}

/** Web API methods take form fields (some, like usergroups.users.list, nothing else); objects go as JSON text. */
function formBody(fields: Record<string, unknown>): { type: string; text: string } {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) form.set(name, typeof value === 'string' ? value : JSON.stringify(value));
  }
  return { type: 'application/x-www-form-urlencoded', text: form.toString() };
}

async function send(url: string, body: { type: string; text: string }, timeoutMs: number, token?: string): Promise<Response> {
  try {
    return await fetch(url, {
      method: 'POST',
      headers: { 'content-type': body.type, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body.text,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    // The URL may be a response_url (a capability): never repeat it.
    throw new SlackRequestFailed(`Slack request failed: ${(error as Error).name}`, { cause: error });
  }
}
