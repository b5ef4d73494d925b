// Slack's request signature: HMAC-SHA256 of `v0:<timestamp>:<body>`, and a
// timestamp within five minutes of now (a replay is refused). Pure.
import type { Request } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_SECONDS, slackSignature } from '../../functions/lib/slack-signature.ts';

const SECRET = 'test-slack-signing-secret';
const NOW_S = 1_795_342_600;
const BODY = 'token=x&user_id=U1&text=status%20web';

const sign = (timestamp: string | number, body = BODY, secret = SECRET) => `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
const headers = (timestamp: string | number, signature = sign(timestamp)) => ({ 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature });

async function verify(h: Record<string, string>, body: { body?: string } = { body: BODY }): Promise<Error | undefined> {
  const event = { headers: h, ...body } as unknown as APIGatewayProxyEventV2;
  try {
    await slackSignature({ signingSecret: () => Promise.resolve(SECRET), now: () => NOW_S * 1000 }).before!({ event } as Request<APIGatewayProxyEventV2>);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

const REPLAY = 'X-Slack-Request-Timestamp is more than 5 minutes from now (a replayed request?)';
const MISMATCH = 'X-Slack-Signature does not match the body for the configured signing secret';
const MISSING = 'missing X-Slack-Request-Timestamp or X-Slack-Signature header';

describe('slackSignature', () => {
  it.each([
    ['signed now', NOW_S],
    ['signed five minutes ago', NOW_S - 300],
    ['signed five minutes ahead (a fast clock)', NOW_S + 300],
  ])('accepts a request %s', async (_case, timestamp) => {
    expect(await verify(headers(timestamp))).toBeUndefined();
  });

  it('accepts a request without a body, signed as an empty one', async () => {
    expect(await verify(headers(NOW_S, sign(NOW_S, '')), {})).toBeUndefined();
  });

  it('allows five minutes of clock skew', () => {
    expect(MAX_CLOCK_SKEW_SECONDS).toBe(300);
  });

  it.each<[string, Record<string, string>, string]>([
    ['no timestamp', { 'x-slack-signature': sign(NOW_S) }, MISSING],
    ['no signature', { 'x-slack-request-timestamp': String(NOW_S) }, MISSING],
    ['an empty signature', { 'x-slack-request-timestamp': String(NOW_S), 'x-slack-signature': '' }, MISSING],
    ['a timestamp 301 s old', headers(NOW_S - 301), REPLAY],
    ['a timestamp 301 s ahead', headers(NOW_S + 301), REPLAY],
    ['a timestamp of yesterday', headers(NOW_S - 86_400), REPLAY],
    ['a timestamp with a fraction', headers(`${NOW_S}.5`), REPLAY],
    ['a negative timestamp', headers(`-${NOW_S}`), REPLAY],
    ['a timestamp followed by letters', headers(`${NOW_S}abc`), REPLAY],
    ['a timestamp preceded by letters', headers(`abc${NOW_S}`), REPLAY],
    ['a timestamp in milliseconds', headers(NOW_S * 1000), REPLAY],
    ['another signing secret', headers(NOW_S, sign(NOW_S, BODY, 'someone-else')), MISMATCH],
    ['a body changed after signing', headers(NOW_S, sign(NOW_S, `${BODY}&x=1`)), MISMATCH],
    ['the signature of another timestamp', headers(NOW_S, sign(NOW_S - 1)), MISMATCH],
    ['a truncated signature', headers(NOW_S, sign(NOW_S).slice(0, -1)), MISMATCH],
    ['a signature without its v0= prefix', headers(NOW_S, sign(NOW_S).slice(3)), MISMATCH],
  ])('refuses %s', async (_case, h, message) => {
    const error = await verify(h);
    expect({ name: error?.name, message: error?.message }).toEqual({ name: 'Unauthorized', message });
  });

  it('reads the clock at each request, not once', async () => {
    let now = NOW_S * 1000;
    const check = slackSignature({ signingSecret: () => Promise.resolve(SECRET), now: () => now });
    const event = { headers: headers(NOW_S), body: BODY } as unknown as APIGatewayProxyEventV2;
    await check.before!({ event } as Request<APIGatewayProxyEventV2>);
    now += 301_000;
    await expect(check.before!({ event } as Request<APIGatewayProxyEventV2>)).rejects.toThrow(REPLAY);
  });

  it('uses the real clock when none is given', async () => {
    const timestamp = Math.floor(Date.now() / 1000);
    const event = { headers: headers(timestamp), body: BODY } as unknown as APIGatewayProxyEventV2;
    await expect(slackSignature({ signingSecret: () => Promise.resolve(SECRET) }).before!({ event } as Request<APIGatewayProxyEventV2>)).resolves.toBeUndefined();
  });
});
