// What Slack sends, read into commands: `/deploy <action> <service> [reason]`
// (form fields) and a button press (`payload=` JSON, type `block_actions`).
// A missing or malformed field is a `BadRequest` naming it.
import { z } from 'zod';
import { BadRequest } from '../core/errors.ts';
import type { ButtonAction } from './slack-message.ts';

export type CommandAction = 'status' | 'promote' | 'rollback' | 'abort' | 'help';

export interface Caller {
  userId: string;
  channelId: string;
}

export interface SlashCommand extends Caller {
  action: CommandAction;
  /** Absent for `help` (and a bare `/deploy`). */
  service?: string;
  reason: string;
  /** `abort` only: the execution to abort (`/deploy abort web web-4b825dc642cb-6f1a2b30c7d4 …`), as the deployment message names it. */
  execution?: string;
  /** Set when the text was not understood; the answer is the usage. */
  problem?: string;
}

export interface ButtonPress extends Caller {
  action: ButtonAction;
  service: string;
  releaseNumber: number;
  kind: 'promotion' | 'bake' | 'retention';
  responseUrl: string;
}

export const USAGE = [
  '`/deploy status <service>`: what is deployed, what the deployment is doing',
  '`/deploy promote <service> [reason]`: promote the release waiting for promotion',
  '`/deploy rollback <service> [reason]`: send traffic back to the previous release',
  '`/deploy abort <service> [execution] [reason]`: stop the running deployment; named (as the deployment message shows it), only that one',
  '`/deploy help`: this text',
].join('\n');

const ACTIONS: readonly CommandAction[] = ['status', 'promote', 'rollback', 'abort', 'help'];

export function parseSlashCommand(form: URLSearchParams): SlashCommand {
  const caller = { userId: field(form, 'user_id'), channelId: field(form, 'channel_id') };
  // Words are what lies between white space: split at each space, drop the empty words.
  const [word = 'help', service, ...rest] = (form.get('text') ?? '').split(/\s/).filter(Boolean);
  const action = word.toLowerCase() as CommandAction;
  if (!ACTIONS.includes(action)) return { ...caller, action: 'help', reason: '', problem: `unknown command "${word}"` };
  if (action === 'help') return { ...caller, action, reason: '' };
  if (!service) return { ...caller, action: 'help', reason: '', problem: `\`${action}\` needs a service` };
  if (action === 'abort' && rest[0] !== undefined && isExecutionOf(service, rest[0])) {
    return { ...caller, action, service, execution: rest[0], reason: rest.slice(1).join(' ') };
  }
  return { ...caller, action, service, reason: rest.join(' ') };
}

/**
 * Whether `word` is shaped like an execution name of `service`
 * (`<service>-<version>-<request id>`, core/dispatch-rules.ts), not the first
 * word of a reason.
 */
function isExecutionOf(service: string, word: string): boolean {
  if (!word.startsWith(`${service}-`) || word.length > 80) return false;
  return /^[A-Za-z0-9_-]{1,12}-[A-Za-z0-9_]{1,12}$/.test(word.slice(service.length + 1));
}

const buttonValue = z.object({
  service: z.string().min(1),
  releaseNumber: z.number().int().nonnegative(),
  kind: z.enum(['promotion', 'bake', 'retention']),
});

const interaction = z.object({
  type: z.literal('block_actions', { error: 'only button presses (block_actions) are handled' }),
  user: z.object({ id: z.string().min(1) }),
  channel: z.object({ id: z.string().min(1) }),
  response_url: z.string().url(),
  actions: z
    .array(z.object({ action_id: z.enum(['promote', 'rollback']), value: z.string() }))
    .length(1),
});

export function parseButtonPress(payload: string): ButtonPress {
  const parsed = interaction.safeParse(parseJson(payload, 'payload'));
  if (!parsed.success) throw new BadRequest(`payload: ${problems(parsed.error)}`);
  const { user, channel, response_url: responseUrl, actions } = parsed.data;
  const pressed = actions[0]!;
  const value = buttonValue.safeParse(parseJson(pressed.value, 'payload.actions[0].value'));
  if (!value.success) throw new BadRequest(`payload.actions[0].value: ${problems(value.error)}`);
  return { userId: user.id, channelId: channel.id, responseUrl, action: pressed.action_id, ...value.data };
}

function field(form: URLSearchParams, name: string): string {
  const value = form.get(name);
  if (!value) throw new BadRequest(`form field ${name} is missing`);
  return value;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new BadRequest(`${what} is not valid JSON`);
  }
}

function problems(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}
