// GitHub's X-Hub-Signature-256 is checked before anything reads the body; the
// previous secret is accepted during a rotation. Pure: no network.
import type { Request } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { githubSignature, type WebhookSecrets } from '../../functions/lib/github-signature.ts';

const CURRENT = 'test-github-secret-current';
const PREVIOUS = 'test-github-secret-previous';
const BODY = '{"ref":"refs/heads/main"}';

const sign = (secret: string, body = BODY) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const secrets = (previous?: string): WebhookSecrets => ({ current: () => Promise.resolve(CURRENT), ...(previous ? { previous: () => Promise.resolve(previous) } : {}) });

async function verify(headers: Record<string, string>, body: string | undefined, keys = secrets(PREVIOUS)): Promise<Error | undefined> {
  const event = { headers, body } as unknown as APIGatewayProxyEventV2;
  try {
    await githubSignature(keys).before!({ event } as Request<APIGatewayProxyEventV2>);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

describe('githubSignature', () => {
  it('accepts the body signed with the current secret', async () => {
    expect(await verify({ 'x-hub-signature-256': sign(CURRENT) }, BODY)).toBeUndefined();
  });

  it('accepts the body signed with the previous secret during a rotation', async () => {
    expect(await verify({ 'x-hub-signature-256': sign(PREVIOUS) }, BODY)).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string | undefined, WebhookSecrets, string, string]>([
    ['no signature header', {}, BODY, secrets(PREVIOUS), 'Unauthorized', 'missing X-Hub-Signature-256 header (is a webhook secret configured on GitHub?)'],
    ['an empty signature header', { 'x-hub-signature-256': '' }, BODY, secrets(PREVIOUS), 'Unauthorized', 'missing X-Hub-Signature-256 header (is a webhook secret configured on GitHub?)'],
    ['no body', { 'x-hub-signature-256': sign(CURRENT, '') }, undefined, secrets(PREVIOUS), 'BadRequest', 'empty body'],
    ['an empty body', { 'x-hub-signature-256': sign(CURRENT, '') }, '', secrets(PREVIOUS), 'BadRequest', 'empty body'],
    ['another secret', { 'x-hub-signature-256': sign('someone-else') }, BODY, secrets(PREVIOUS), 'Unauthorized', 'X-Hub-Signature-256 does not match the body for the configured webhook secret'],
    ['the previous secret once it is removed', { 'x-hub-signature-256': sign(PREVIOUS) }, BODY, secrets(), 'Unauthorized', 'X-Hub-Signature-256 does not match the body for the configured webhook secret'],
    ['a body signed with an empty previous secret (none set)', { 'x-hub-signature-256': sign('') }, BODY, { current: () => Promise.resolve(CURRENT), previous: () => Promise.resolve('') }, 'Unauthorized', 'X-Hub-Signature-256 does not match the body for the configured webhook secret'],
    ['a body changed after signing', { 'x-hub-signature-256': sign(CURRENT) }, `${BODY} `, secrets(PREVIOUS), 'Unauthorized', 'X-Hub-Signature-256 does not match the body for the configured webhook secret'],
  ])('refuses %s', async (_case, headers, body, keys, name, message) => {
    const error = await verify(headers, body, keys);
    expect({ name: error?.name, message: error?.message }).toEqual({ name, message });
  });
});
