// Named errors → HTTP answers. A refusal (4xx) names what was wrong; anything
// else is logged and answered with a generic 500 that reveals nothing.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { BlueGreenError } from '../core/errors.ts';

const STATUS: Record<string, number> = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  LockHeld: 409,
  ConcurrentUpdate: 409,
  PayloadTooLarge: 413,
};

export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonAnswer(statusCode: number, body: unknown): HttpAnswer {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export function httpErrors(logger: Logger): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  return {
    onError(request) {
      if (request.response !== undefined) return;
      const error = request.error;
      const status = error instanceof BlueGreenError ? STATUS[error.name] : undefined;
      if (status !== undefined && error) {
        logger.warn('request refused', { status, error: error.name, reason: error.message });
        request.response = jsonAnswer(status, { error: error.name, message: error.message });
        return;
      }
      logger.error('request failed', error ?? 'unknown error');
      request.response = jsonAnswer(500, { error: 'InternalError', message: 'internal error; see the function logs' });
    },
  };
}
