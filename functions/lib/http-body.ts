// Decodes the HTTP body to the exact text that was sent (API Gateway and
// function URLs base64-encode some bodies) and refuses oversized ones, before
// any other middleware reads it. Afterwards `event.body` is that text.
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLarge } from '../core/errors.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

export function httpBody(options: { maxBytes: number } = { maxBytes: MAX_BODY_BYTES }): MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before({ event }) {
      const bytes = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
      if (bytes.length > options.maxBytes) {
        throw new PayloadTooLarge(`body of ${bytes.length} bytes is over the limit of ${options.maxBytes} bytes`);
      }
      event.body = bytes.toString('utf8');
      event.isBase64Encoded = false;
    },
  };
}
