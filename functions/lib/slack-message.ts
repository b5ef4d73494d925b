// Slack messages: the one message per deployment (what is live, what is green,
// health, alarms, who did what, with Promote / Roll back buttons while the
// workflow waits) and the short replies to commands. Pure: text in, blocks out.
import type { Trigger } from '../adapters/executions.ts';
import type { AbortRequest, HistoryEvent, QueuedDeployment, Wait, WaitKind } from '../adapters/store.ts';

export interface SlackText {
  type: 'mrkdwn' | 'plain_text';
  text: string;
}

export interface SlackButton {
  type: 'button';
  action_id: ButtonAction;
  text: { type: 'plain_text'; text: string };
  value: string;
  style?: 'primary' | 'danger';
}

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string } }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'context'; elements: SlackText[] }
  | { type: 'actions'; elements: SlackButton[] };

export interface SlackMessage {
  text: string;
  blocks?: SlackBlock[];
  response_type?: 'ephemeral' | 'in_channel';
  replace_original?: boolean;
}

export type ButtonAction = 'promote' | 'rollback';

/** What a button carries: enough to refuse it once the deployment has moved on. */
export interface ButtonValue {
  service: string;
  releaseNumber: number;
  kind: WaitKind;
}

export interface ReleaseView {
  number: number;
  version: string;
}

/** Everything the deployment message can show; the workflow fills what it knows. */
export interface DeploymentView {
  service: string;
  /** The running execution and what it deploys. */
  executionName?: string;
  version?: string;
  trigger?: Trigger;
  /** What the workflow is doing, in words (`bringing up capacity`). */
  doing?: string;
  live?: ReleaseView | null;
  green?: (ReleaseView & { healthy: number; desired: number }) | null;
  alarms?: { name: string; state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' }[];
  wait?: Pick<Wait, 'kind' | 'releaseNumber' | 'expiresAt'> | null;
  queued?: QueuedDeployment | null;
  abort?: AbortRequest | null;
  /** Newest first. */
  history: HistoryEvent[];
}

export const HISTORY_LINES = 5;

export function ephemeral(text: string): SlackMessage {
  return { response_type: 'ephemeral', text };
}

export function inChannel(text: string): SlackMessage {
  return { response_type: 'in_channel', text };
}

export function deploymentMessage(view: DeploymentView): SlackMessage {
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: `Deployment of ${view.service}` } }];
  blocks.push({ type: 'section', fields: fields(view) });
  const notes = [queuedNote(view.queued), abortNote(view.abort)].filter((n): n is string => n !== null);
  if (notes.length > 0) blocks.push({ type: 'section', text: mrkdwn(notes.join('\n')) });
  if (view.history.length > 0) {
    blocks.push({ type: 'context', elements: view.history.slice(0, HISTORY_LINES).map((e) => mrkdwn(historyLine(e))) });
  }
  if (view.wait) blocks.push({ type: 'actions', elements: buttons(view.service, view.wait) });
  return { text: summary(view), blocks };
}

export function buttonValue(value: ButtonValue): string {
  return JSON.stringify(value);
}

/** Escapes the three characters Slack's mrkdwn gives a meaning to. */
export function escape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function shortVersion(version: string): string {
  return /^[0-9a-f]{40}$/.test(version) ? version.slice(0, 7) : version;
}

function summary(view: DeploymentView): string {
  if (!view.executionName) return `${view.service}: no deployment running`;
  const state = view.wait ? waitText(view.wait) : (view.doing ?? 'working');
  return `${view.service}: deploying ${shortVersion(view.version ?? '?')}: ${state}`;
}

function fields(view: DeploymentView): SlackText[] {
  const out = [mrkdwn(`*Live*\n${view.live ? release(view.live) : 'nothing'}`)];
  if (view.green) out.push(mrkdwn(`*Green*\n${release(view.green)}, ${view.green.healthy}/${view.green.desired} healthy`));
  if (view.executionName) {
    const by = view.trigger ? ` by ${escape(view.trigger.by)}` : '';
    // The execution's name is what `/deploy abort <service> <execution>` takes: the abort then stops this one only.
    out.push(mrkdwn(`*Deploying*\n\`${escape(shortVersion(view.version ?? '?'))}\`${by}\nexecution \`${escape(view.executionName)}\``));
    out.push(mrkdwn(`*Now*\n${view.wait ? waitText(view.wait) : escape(view.doing ?? 'working')}`));
  } else {
    out.push(mrkdwn('*Now*\nno deployment running'));
  }
  if (view.alarms) out.push(mrkdwn(`*Alarms*\n${alarmText(view.alarms)}`));
  return out;
}

function release(r: ReleaseView): string {
  return `release ${r.number} \`${escape(shortVersion(r.version))}\``;
}

function waitText(wait: Pick<Wait, 'kind' | 'releaseNumber' | 'expiresAt'>): string {
  const what = { promotion: 'waiting for promotion', bake: 'baking (alarms armed)', retention: 'keeping the old release warm' }[wait.kind];
  return `${what} of release ${wait.releaseNumber} until ${wait.expiresAt}`;
}

function alarmText(alarms: NonNullable<DeploymentView['alarms']>): string {
  const firing = alarms.filter((a) => a.state === 'ALARM');
  if (alarms.length === 0) return 'none';
  if (firing.length === 0) return `all ${alarms.length} OK`;
  return firing.map((a) => `:red_circle: ${escape(a.name)}`).join('\n');
}

function queuedNote(queued: QueuedDeployment | null | undefined): string | null {
  return queued ? `Next: \`${escape(shortVersion(queued.version))}\` by ${escape(queued.trigger.by)}, queued ${queued.queuedAt}` : null;
}

function abortNote(abort: AbortRequest | null | undefined): string | null {
  return abort ? `Abort requested by ${escape(abort.by)} at ${abort.at}: ${escape(abort.reason)}` : null;
}

function buttons(service: string, wait: Pick<Wait, 'kind' | 'releaseNumber'>): SlackButton[] {
  const value = buttonValue({ service, releaseNumber: wait.releaseNumber, kind: wait.kind });
  const rollback: SlackButton = { type: 'button', action_id: 'rollback', text: { type: 'plain_text', text: 'Roll back' }, value, style: 'danger' };
  if (wait.kind !== 'promotion') return [rollback];
  return [{ type: 'button', action_id: 'promote', text: { type: 'plain_text', text: 'Promote' }, value, style: 'primary' }, rollback];
}

function historyLine(e: HistoryEvent): string {
  const time = e.at ? `\`${e.at.slice(11, 19)}\` ` : '';
  const version = e.version ? `\`${escape(shortVersion(e.version))}\`` : '';
  const by = escape(e.by);
  const reason = e.reason ? `: ${escape(e.reason)}` : '';
  switch (e.kind) {
    case 'started':
      return `${time}${by} started ${version}`;
    case 'queued':
      return `${time}${by} queued ${version}${reason}`;
    case 'superseded':
      return `${time}${version} dropped from the queue${reason}`;
    case 'step': {
      const n = e.listenerChanges?.length ?? 0;
      const changes = n > 0 ? `, ${n} listener change${n === 1 ? '' : 's'}` : '';
      const took = e.durationMs !== undefined ? ` in ${Math.round(e.durationMs / 1000)} s` : '';
      return `${time}${escape(e.step ?? 'step')}${changes}${took}`;
    }
    case 'signal':
      return `${time}${by}: ${e.action ?? 'signal'}${reason}`;
    case 'abort-requested':
      return `${time}${by} requested abort${reason}`;
    case 'finished':
      return `${time}${escape(e.executionName ?? '')} finished: ${e.outcome ?? 'done'}`;
    case 'redelivered':
      return `${time}${by} redelivered ${version}${reason}`;
  }
}

function mrkdwn(text: string): SlackText {
  return { type: 'mrkdwn', text };
}
