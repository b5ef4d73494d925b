// Verifies Slack's request signature: `v0=` + hex HMAC-SHA256 of
// `v0:<timestamp>:<raw body>` with the signing secret, compared in constant
// time, and refuses timestamps more than five minutes away from now (replays).
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { Unauthorized } from '../core/errors.ts';
import type { SecretReader } from './secrets.ts';

export const MAX_CLOCK_SKEW_SECONDS = 300;

export function slackSignature(options: { signingSecret: SecretReader; now?: () => number }): MiddlewareObj<APIGatewayProxyEventV2> {
  const now = options.now ?? Date.now;
  return {
    async before({ event }) {
      const timestamp = event.headers['x-slack-request-timestamp'];
      const signature = event.headers['x-slack-signature'];
      if (!timestamp || !signature) throw new Unauthorized('missing X-Slack-Request-Timestamp or X-Slack-Signature header');
      const seconds = Number(timestamp);
      if (!/^\d+$/.test(timestamp) || Math.abs(now() / 1000 - seconds) > MAX_CLOCK_SKEW_SECONDS) {
        throw new Unauthorized('X-Slack-Request-Timestamp is more than 5 minutes from now (a replayed request?)');
      }
      const expected = `v0=${createHmac('sha256', await options.signingSecret()).update(`v0:${timestamp}:${event.body ?? ''}`).digest('hex')}`;
      if (!sameText(expected, signature)) throw new Unauthorized('X-Slack-Signature does not match the body for the configured signing secret');
    },
  };
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
