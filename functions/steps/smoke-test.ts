// Header canary: before anyone is asked to promote, one request through the
// load balancer with `x-client-mode: green` must reach the new release. With
// `versionField` set, reaching it is proven by the version the answer names:
// a status alone cannot tell the new release from the live one, which the
// header reaches until the listener change propagates. The workflow retries
// SmokeTestFailed for about 40 seconds for that reason (statemachines/build.ts).
//
// The request is sent by the step function itself (`smokeTest.from: 'step'`),
// which is in no VPC and so reaches internet-facing load balancers only, or
// by the stack's probe function in the VPC (`from: 'vpc'`), for an internal
// one. Both judge the answer with functions/lib/smoke-check.ts.
import { findService, probeMissing } from '../core/config.ts';
import { ConfigInvalid, SmokeTestFailed } from '../core/errors.ts';
import { runSmokeCheck, type SmokeCheck } from '../lib/smoke-check.ts';
import type { StepDeps } from './deps.ts';
import type { WorkflowState } from './workflow-state.ts';

/** How long the request may take, from either side. */
export const SMOKE_TEST_TIMEOUT_MS = 10_000;

export async function smokeTest(deps: StepDeps, state: WorkflowState): Promise<WorkflowState> {
  const service = findService(deps.config, state.service);
  const { strategy, smokeTest: test } = service;
  if (strategy.type !== 'header-canary' || state.phase !== 'canary' || !test) return state;
  const check: SmokeCheck = {
    url: test.url,
    headers: { [strategy.header]: 'green' },
    timeoutMs: SMOKE_TEST_TIMEOUT_MS,
    expectStatus: test.expectStatus,
    ...(test.versionField ? { version: { field: test.versionField, expected: state.version } } : {}),
  };
  let request = `GET ${test.url} with ${strategy.header}: green`;
  let verdict;
  if (test.from === 'vpc') {
    // Packaging refuses this configuration; a stack deployed without the probe
    // and given the configuration inline (BLUEGREEN_CONFIG) meets it here.
    if (!deps.probe) throw new ConfigInvalid(probeMissing(deps.config.services.indexOf(service)));
    request += ' from the probe function';
    verdict = await deps.probe.run(check);
  } else {
    verdict = await runSmokeCheck(deps.fetch, check);
  }
  if (!verdict.passed) throw new SmokeTestFailed(`${request} ${verdict.problem}`);
  return state;
}
