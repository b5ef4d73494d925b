// GitHub webhook (HTTP API v2 or function URL): a verified `push` to a
// service's deploy branch starts (or queues) its deployment; everything else
// is answered with the reason and starts nothing.
//   200 ping, or a delivery already handled (within the dedupe window, or
//       redelivered later: its executions have ended; nothing started)
//   202 push handled: per service started / queued / skipped with the reason;
//       also events other than push and ping (acknowledged, ignored), unknown repositories
//   400 malformed body or headers, manifest needed but no GitHub token
//   401 missing or wrong signature      413 body over 1 MB
// The answer does not wait for the workflow.
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { Executions, Trigger } from './adapters/executions.ts';
import type { DeploymentStore } from './adapters/store.ts';
import type { Config, ServiceConfig } from './core/config.ts';
import { BadRequest } from './core/errors.ts';
import { awsClients } from './lib/aws-clients.ts';
import { builtOnFirstCall } from './lib/cold-start.ts';
import { startOrQueue, type DispatchResult } from './lib/dispatch.ts';
import { createManifestReader, type ManifestReader } from './lib/github-manifest.ts';
import { parsePush, planPush, pushedBy, type PushEvent } from './lib/github-push.ts';
import { githubSignature, type WebhookSecrets } from './lib/github-signature.ts';
import { httpBody } from './lib/http-body.ts';
import { httpErrors, jsonAnswer, type HttpAnswer } from './lib/http-errors.ts';
import { createLogger, logContext } from './lib/logging.ts';
import { optionalSecret, requiredSecret, secretIfExists } from './lib/secrets.ts';
import { loadSettings } from './lib/settings.ts';

export interface WebhookDeps {
  config: Config;
  store: DeploymentStore;
  executions: Executions;
  secrets: WebhookSecrets;
  /** Absent when no GitHub token is configured: services with `github.manifest` cannot deploy. */
  manifests?: ManifestReader;
  logger: Logger;
}

/** GitHub redelivers by hand, days later at most: a delivery id is remembered for a week. */
export const DELIVERY_TTL_SECONDS = 7 * 24 * 3600;

export function createHandler(deps: WebhookDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(logContext(deps.logger))
    .use(httpErrors(deps.logger))
    .use(httpHeaderNormalizer())
    .use(httpBody())
    .use(githubSignature(deps.secrets))
    .handler((event) => handle(deps, event));
}

async function handle(deps: WebhookDeps, event: APIGatewayProxyEventV2): Promise<HttpAnswer> {
  const name = event.headers['x-github-event'];
  if (!name) throw new BadRequest('missing X-GitHub-Event header');
  const deliveryId = event.headers['x-github-delivery'];
  deps.logger.appendKeys({ githubEvent: name, deliveryId });
  if (name === 'ping') return jsonAnswer(200, { message: 'pong' });
  if (name !== 'push') return jsonAnswer(202, { message: `event "${name}" is not handled (only push and ping); nothing started` });
  if (!deliveryId) throw new BadRequest('missing X-GitHub-Delivery header');

  const push = parsePush(readPayload(event));
  const plan = planPush(deps.config, push);
  if (plan.unknownRepository) return jsonAnswer(202, { message: `${plan.unknownRepository}; nothing started` });
  if (plan.deploy.length === 0) return jsonAnswer(202, { message: 'nothing to deploy', skipped: plan.skipped });
  const versions = await resolveVersions(deps, plan.deploy, push);
  const supersede = new Set(plan.deploy.filter((s) => s.onPush === 'supersede').map((s) => s.name));

  if (!(await deps.store.firstDelivery(deliveryId, DELIVERY_TTL_SECONDS))) {
    deps.logger.info('duplicate delivery ignored');
    return alreadyHandled(deliveryId);
  }
  const trigger: Trigger = { kind: 'push', by: pushedBy(push), deliveryId, commit: push.after };
  const results: (DispatchResult & { service: string; version: string })[] = [];
  try {
    for (const { service, version } of versions) {
      const result = await startOrQueue(deps, service, version, trigger, { supersede: supersede.has(service) });
      deps.logger.info(`deployment ${result.status}`, { deployment: { service, version, execution: result.executionName } });
      results.push({ service, version, ...result });
    }
  } catch (error) {
    // Let GitHub's redelivery try again.
    await deps.store.forgetDelivery(deliveryId);
    throw error;
  }
  // Redelivered after the dedupe window: every execution it names has ended, and the history says so.
  if (results.every((r) => r.status === 'already-handled')) return alreadyHandled(deliveryId, results);
  return jsonAnswer(202, { message: results.map((r) => `${r.service}: ${r.status}`).join('; '), results, skipped: plan.skipped });
}

function alreadyHandled(deliveryId: string, results?: unknown[]): HttpAnswer {
  return jsonAnswer(200, { message: `delivery ${deliveryId} was already handled; nothing started`, ...(results ? { results } : {}) });
}

/** JSON, or the form encoding GitHub also offers (`payload=<json>`). */
function readPayload(event: APIGatewayProxyEventV2): unknown {
  const body = event.body ?? '';
  const form = (event.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const text = form ? new URLSearchParams(body).get('payload') : body;
  if (!text) throw new BadRequest(form ? 'form field payload is missing' : 'empty body');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequest('body is not valid JSON');
  }
}

async function resolveVersions(deps: WebhookDeps, services: ServiceConfig[], push: PushEvent): Promise<{ service: string; version: string }[]> {
  const needToken = services.filter((s) => s.github.manifest).map((s) => s.name);
  if (needToken.length > 0 && !deps.manifests) {
    throw new BadRequest(`${needToken.join(', ')} read the version from github.manifest, but no GitHub token is configured (GITHUB_TOKEN_PARAM); nothing started`);
  }
  return Promise.all(
    services.map(async (s) => ({
      service: s.name,
      version: s.github.manifest ? await deps.manifests!.read(s.github.repository, s.github.manifest, push.after) : push.after,
    })),
  );
}

function depsFromEnvironment(env: NodeJS.ProcessEnv): WebhookDeps {
  const settings = loadSettings(env);
  const aws = awsClients(settings);
  const token = optionalSecret(env, 'GITHUB_TOKEN', aws.secrets);
  return {
    config: settings.config,
    store: aws.store,
    executions: aws.executions,
    secrets: {
      current: requiredSecret(env, 'GITHUB_WEBHOOK_SECRET', aws.secrets),
      previous: secretIfExists(env, 'GITHUB_WEBHOOK_PREVIOUS_SECRET', aws.secrets),
    },
    ...(token ? { manifests: createManifestReader({ token, baseUrl: env.GITHUB_API_URL }) } : {}),
    logger: createLogger('webhook'),
  };
}

export const handler = builtOnFirstCall<APIGatewayProxyEventV2, APIGatewayProxyResultV2>(() => createHandler(depsFromEnvironment(process.env)));
