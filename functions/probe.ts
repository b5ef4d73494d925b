// Lambda entry point of the smoke-test probe: the one function of the stack in
// your VPC (the probeSubnetIds and probeSecurityGroupIds parameters), where an
// internal load balancer can be reached. The step function invokes it for a
// service with `smokeTest.from: 'vpc'`, with one request to make
// (functions/lib/smoke-check.ts); it makes that request and answers the
// verdict. It calls no AWS API: its role allows only its logs, and what
// Lambda needs to attach it to the VPC.
import type { Logger } from '@aws-lambda-powertools/logger';
import { BadRequest } from './core/errors.ts';
import { createLogger } from './lib/logging.ts';
import { runSmokeCheck, smokeCheckSchema, type SmokeVerdict } from './lib/smoke-check.ts';

export interface ProbeDeps {
  fetch: typeof globalThis.fetch;
  logger: Logger;
}

export function createProbeHandler(deps: ProbeDeps): (event: unknown) => Promise<SmokeVerdict> {
  return async (event) => {
    const parsed = smokeCheckSchema.safeParse(event);
    if (!parsed.success) throw new BadRequest(`not a smoke check: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    const verdict = await runSmokeCheck(deps.fetch, parsed.data);
    deps.logger.info('smoke check', { url: parsed.data.url, verdict });
    return verdict;
  };
}

export const handler = createProbeHandler({ fetch: globalThis.fetch, logger: createLogger('probe') });
