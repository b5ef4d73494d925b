// Verifies GitHub's `X-Hub-Signature-256` (HMAC-SHA256 of the raw body,
// compared in constant time by @octokit/webhooks) before anything reads the
// body. During a rotation the previous secret is accepted too.
import type { MiddlewareObj } from '@middy/core';
import { Webhooks } from '@octokit/webhooks';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { BadRequest, Unauthorized } from '../core/errors.ts';
import type { SecretIfExistsReader, SecretReader } from './secrets.ts';

export interface WebhookSecrets {
  current: SecretReader;
  /** The secret being rotated out, accepted until it is removed; undefined outside a rotation. */
  previous?: SecretIfExistsReader;
}

export function githubSignature(secrets: WebhookSecrets): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    async before({ event }) {
      const signature = event.headers['x-hub-signature-256'];
      if (!signature) throw new Unauthorized('missing X-Hub-Signature-256 header (is a webhook secret configured on GitHub?)');
      const body = event.body ?? '';
      if (body === '') throw new BadRequest('empty body');
      for (const read of [secrets.current, secrets.previous]) {
        const secret = await read?.();
        if (secret && (await new Webhooks({ secret }).verify(body, signature))) return;
      }
      throw new Unauthorized('X-Hub-Signature-256 does not match the body for the configured webhook secret');
    },
  };
}
