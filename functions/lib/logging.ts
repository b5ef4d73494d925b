// Structured JSON logs (Powertools). Events are never logged as a whole: they
// carry signatures, task tokens and Slack response URLs.
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';

export function createLogger(entryPoint: string): Logger {
  return new Logger({ serviceName: 'bluegreen', persistentKeys: { entryPoint } });
}

/** Adds the Lambda context to every line of an invocation and forgets per-request keys afterwards. */
export function logContext(logger: Logger) {
  return injectLambdaContext(logger, { resetKeys: true, logEvent: false });
}
