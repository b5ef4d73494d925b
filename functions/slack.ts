// Slack: the `/deploy` slash command and the Promote / Roll back buttons of
// the deployment message (interactivity: `payload=` JSON), on one endpoint.
// Every request is verified (signing secret, timestamp within 5 minutes) and
// authorized per service before anything changes.
//
// Answering within Slack's 3 s: the work is done inline. A command is a few
// DynamoDB calls and at most one SendTaskSuccess (tens of milliseconds warm;
// the Slack group lookup is cached and time-boxed), so the result itself is
// the answer: in the channel for an action, ephemeral for status and refusals.
// A button press is answered through its `response_url` before returning 200.
// Each answer logs `durationMs`.
import type { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { Executions } from './adapters/executions.ts';
import type { DeploymentStore } from './adapters/store.ts';
import type { Config, ServiceConfig } from './core/config.ts';
import { ConcurrentUpdate, DeploymentEnded, NothingToPromote, NothingToRollBack, NotFound, TaskTokenRejected } from './core/errors.ts';
import { awsClients } from './lib/aws-clients.ts';
import { builtOnFirstCall } from './lib/cold-start.ts';
import { signal, type SignalRequest, type SignalResult } from './lib/dispatch.ts';
import { httpBody } from './lib/http-body.ts';
import { httpErrors, jsonAnswer, type HttpAnswer } from './lib/http-errors.ts';
import { createLogger, logContext } from './lib/logging.ts';
import { optionalSecret, requiredSecret, type SecretReader } from './lib/secrets.ts';
import { loadSettings } from './lib/settings.ts';
import { createSlackApi, type SlackApi } from './lib/slack-api.ts';
import { authorize, cachedGroupMembers, type GroupMembers } from './lib/slack-authorization.ts';
import { parseButtonPress, parseSlashCommand, USAGE, type ButtonPress, type SlashCommand } from './lib/slack-command.ts';
import { deploymentMessage, ephemeral, HISTORY_LINES, inChannel, type DeploymentView, type SlackMessage } from './lib/slack-message.ts';
import { slackSignature } from './lib/slack-signature.ts';

export interface SlackDeps {
  config: Config;
  store: DeploymentStore;
  executions: Executions;
  signingSecret: SecretReader;
  slack: SlackApi;
  /** Absent without a bot token: then only `slack.users` can authorize. */
  groupMembers?: GroupMembers;
  logger: Logger;
  now?: () => number;
}

/** Answers that change nothing and tell the user why. */
const REFUSALS = [NothingToPromote, NothingToRollBack, NotFound, ConcurrentUpdate, TaskTokenRejected, DeploymentEnded];

export function createHandler(deps: SlackDeps) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(logContext(deps.logger))
    .use(httpErrors(deps.logger))
    .use(httpHeaderNormalizer())
    .use(httpBody())
    .use(slackSignature({ signingSecret: deps.signingSecret, ...(deps.now ? { now: deps.now } : {}) }))
    .handler((event) => handle(deps, event));
}

async function handle(deps: SlackDeps, event: APIGatewayProxyEventV2): Promise<HttpAnswer> {
  const started = performance.now();
  const form = new URLSearchParams(event.body ?? '');
  const payload = form.get('payload');
  const answer = payload === null ? await runCommand(deps, parseSlashCommand(form)) : await pressButton(deps, parseButtonPress(payload));
  deps.logger.info('answered', { durationMs: Math.round(performance.now() - started) });
  return answer;
}

async function runCommand(deps: SlackDeps, command: SlashCommand): Promise<HttpAnswer> {
  deps.logger.appendKeys({ slackUser: command.userId, channel: command.channelId, action: command.action, deployment: { service: command.service } });
  if (command.action === 'help' || !command.service) return reply(ephemeral(command.problem ? `${command.problem}\n${USAGE}` : USAGE));
  const service = findService(deps, command.service);
  if (!service) return reply(ephemeral(unknownService(deps, command.service)));
  const decision = await authorize(service, command, command.action, deps.groupMembers);
  if (!decision.allowed) return reply(refuse(deps, decision.reason));
  if (command.action === 'status') return reply({ ...deploymentMessage(await statusView(deps, service.name)), response_type: 'ephemeral' });
  const reason = command.reason || `/deploy ${command.action} in Slack`;
  const expect = command.execution ? { expect: { executionName: command.execution } } : {};
  return reply(await act(deps, service.name, { action: command.action, by: `slack:${command.userId}`, reason, ...expect }));
}

async function pressButton(deps: SlackDeps, press: ButtonPress): Promise<HttpAnswer> {
  deps.logger.appendKeys({ slackUser: press.userId, channel: press.channelId, action: press.action, deployment: { service: press.service } });
  const service = findService(deps, press.service);
  let message: SlackMessage;
  if (!service) {
    message = ephemeral(unknownService(deps, press.service));
  } else {
    const decision = await authorize(service, press, press.action, deps.groupMembers);
    message = decision.allowed
      ? await act(deps, service.name, {
          action: press.action,
          by: `slack:${press.userId}`,
          reason: `${press.action} button in Slack`,
          expect: { kinds: [press.kind], releaseNumber: press.releaseNumber },
        })
      : refuse(deps, decision.reason);
  }
  try {
    await deps.slack.respond(press.responseUrl, { ...message, replace_original: false });
  } catch (error) {
    // What was asked is done (or refused) already; only the answer to the clicker is lost.
    deps.logger.warn('could not answer through response_url', { error: (error as Error).message, answer: message.text });
  }
  return { statusCode: 200, headers: {}, body: '' };
}

async function act(deps: SlackDeps, service: string, request: SignalRequest): Promise<SlackMessage> {
  try {
    const result = await signal({ store: deps.store, executions: deps.executions }, service, request);
    deps.logger.info('signal sent', { outcome: result.outcome, by: request.by });
    return inChannel(done(service, request, result));
  } catch (error) {
    if (!REFUSALS.some((refusal) => error instanceof refusal)) throw error;
    const byName = error instanceof DeploymentEnded && error.running && request.action === 'abort' ? ` (\`/deploy abort ${service} ${error.running}\`)` : '';
    return refuse(deps, `${(error as Error).message}${byName}`);
  }
}

function done(service: string, request: SignalRequest, result: SignalResult): string {
  const who = `<@${request.by.slice('slack:'.length)}>`;
  if (result.outcome === 'abort-requested') {
    return `${who} asked to abort ${service} (version ${result.active.version}): it stops before its next step`;
  }
  const did = { promote: 'promoted', rollback: 'rolled back', abort: 'aborted' }[result.action];
  return `${who} ${did} ${service} (release ${result.wait.releaseNumber}): ${request.reason}`;
}

async function statusView(deps: SlackDeps, service: string): Promise<DeploymentView> {
  const [active, wait, history] = await Promise.all([deps.store.active(service), deps.store.getWait(service), deps.store.history(service, HISTORY_LINES)]);
  if (!active) return { service, history };
  const open = wait && !wait.taken ? wait : null;
  return { service, executionName: active.executionName, version: active.version, trigger: active.trigger, wait: open, queued: active.queued, abort: active.abort, history };
}

function refuse(deps: SlackDeps, reason: string): SlackMessage {
  deps.logger.warn('refused', { reason });
  return ephemeral(`Refused: ${reason}. Nothing changed.`);
}

function findService(deps: SlackDeps, name: string): ServiceConfig | undefined {
  return deps.config.services.find((s) => s.name === name);
}

function unknownService(deps: SlackDeps, name: string): string {
  return `Unknown service "${name}"; configured: ${deps.config.services.map((s) => s.name).join(', ')}. Nothing changed.`;
}

function reply(message: SlackMessage): HttpAnswer {
  return jsonAnswer(200, message);
}

function depsFromEnvironment(env: NodeJS.ProcessEnv): SlackDeps {
  const settings = loadSettings(env);
  const aws = awsClients(settings);
  const botToken = optionalSecret(env, 'SLACK_BOT_TOKEN', aws.secrets);
  const slack = createSlackApi({ ...(botToken ? { botToken } : {}), ...(env.SLACK_API_URL ? { baseUrl: env.SLACK_API_URL } : {}) });
  return {
    config: settings.config,
    store: aws.store,
    executions: aws.executions,
    signingSecret: requiredSecret(env, 'SLACK_SIGNING_SECRET', aws.secrets),
    slack,
    ...(botToken ? { groupMembers: cachedGroupMembers((group) => slack.usergroupMembers(group)) } : {}),
    logger: createLogger('slack'),
  };
}

export const handler = builtOnFirstCall<APIGatewayProxyEventV2, APIGatewayProxyResultV2>(() => createHandler(depsFromEnvironment(process.env)));
