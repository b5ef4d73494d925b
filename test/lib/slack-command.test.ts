// What Slack sends, read into commands: `/deploy <action> <service> [reason]`
// and button presses. A malformed field is a BadRequest naming it. Pure.
import { describe, expect, it } from 'vitest';
import { parseButtonPress, parseSlashCommand, USAGE, type SlashCommand } from '../../functions/lib/slack-command.ts';
import { fixture } from '../support/events.ts';

const formFixture = () => fixture<{ form: Record<string, string> }>('slack/command').form;
const form = (text: string | null, edit: (f: Record<string, string>) => void = () => undefined) => {
  const fields = formFixture();
  if (text === null) delete fields.text;
  else fields.text = text;
  edit(fields);
  return new URLSearchParams(fields);
};

interface Payload {
  type: string;
  user: { id: string };
  channel: { id: string };
  response_url: string;
  actions: { action_id: string; value: string }[];
}
const payload = (edit: (p: Payload) => void = () => undefined) => {
  const { payload: p } = fixture<{ payload: Payload }>('slack/interaction');
  edit(p);
  return JSON.stringify(p);
};
const value = (v: unknown) => (p: Payload) => void (p.actions[0]!.value = JSON.stringify(v));

function refusal(act: () => unknown): { name: string; message: string } | undefined {
  try {
    act();
    return undefined;
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
}

describe('parseSlashCommand', () => {
  const caller = { userId: 'U0RELEASER', channelId: 'C0DEPLOYS' };

  it.each<[string, string | null, Omit<SlashCommand, 'userId' | 'channelId'>]>([
    ['a status', 'status web', { action: 'status', service: 'web', reason: '' }],
    ['a promote with a reason', 'promote web looks good', { action: 'promote', service: 'web', reason: 'looks good' }],
    ['an abort with a reason', 'abort api superseded by a fix', { action: 'abort', service: 'api', reason: 'superseded by a fix' }],
    ['a rollback in capitals, spaced out', '  ROLLBACK   web   p99   too high ', { action: 'rollback', service: 'web', reason: 'p99 too high' }],
    ['a reason on several lines', 'rollback web first\nsecond', { action: 'rollback', service: 'web', reason: 'first second' }],
    ['words apart by tabs and new lines', '\tabort\n\nweb \t now', { action: 'abort', service: 'web', reason: 'now' }],
    ['an abort naming its execution, with a reason', 'abort web web-2-0-0-3d18cdb51a83 wrong build', { action: 'abort', service: 'web', execution: 'web-2-0-0-3d18cdb51a83', reason: 'wrong build' }],
    ['an abort naming its execution alone', 'abort web web-2-0-0-3d18cdb51a83', { action: 'abort', service: 'web', execution: 'web-2-0-0-3d18cdb51a83', reason: '' }],
    ['an abort whose reason starts with a word of the service', 'abort web web-tier is flaky', { action: 'abort', service: 'web', reason: 'web-tier is flaky' }],
    ['an abort naming an execution of another service', 'abort web api-2-0-0-3d18cdb51a83', { action: 'abort', service: 'web', reason: 'api-2-0-0-3d18cdb51a83' }],
    ['an abort whose first word is too long for an execution name', `abort web web-${'a'.repeat(12)}-${'b'.repeat(80)}`, { action: 'abort', service: 'web', reason: `web-${'a'.repeat(12)}-${'b'.repeat(80)}` }],
    ['an abort whose first word has a request id too long', 'abort web web-2-0-0-3d18cdb51a83ff', { action: 'abort', service: 'web', reason: 'web-2-0-0-3d18cdb51a83ff' }],
    ['an abort whose first word has characters no execution name has', 'abort web web-2.0.0-3d18cdb51a83', { action: 'abort', service: 'web', reason: 'web-2.0.0-3d18cdb51a83' }],
    ['a promote whose reason looks like an execution name (only abort names one)', 'promote web web-2-0-0-3d18cdb51a83', { action: 'promote', service: 'web', reason: 'web-2-0-0-3d18cdb51a83' }],
    ['help', 'help', { action: 'help', reason: '' }],
    ['help with more words', 'Help me please', { action: 'help', reason: '' }],
    ['an empty text', '', { action: 'help', reason: '' }],
    ['only spaces', '   ', { action: 'help', reason: '' }],
    ['no text field', null, { action: 'help', reason: '' }],
    ['an unknown word', 'deploy web', { action: 'help', reason: '', problem: 'unknown command "deploy"' }],
    ['an action without a service', 'status', { action: 'help', reason: '', problem: '`status` needs a service' }],
    ['a promote without a service', 'PROMOTE', { action: 'help', reason: '', problem: '`promote` needs a service' }],
  ])('reads %s', (_case, text, expected) => {
    expect(parseSlashCommand(form(text))).toEqual({ ...caller, ...expected });
  });

  it.each([
    ['user_id', (f: Record<string, string>) => void delete f.user_id],
    ['channel_id', (f: Record<string, string>) => void delete f.channel_id],
    ['user_id', (f: Record<string, string>) => void (f.user_id = '')],
  ])('refuses a form without %s, naming the field', (name, edit) => {
    expect(refusal(() => parseSlashCommand(form('status web', edit)))).toEqual({ name: 'BadRequest', message: `form field ${name} is missing` });
  });

  it('documents every command in its usage', () => {
    expect(USAGE.split('\n').map((line) => /^`\/deploy (\w+)/.exec(line)?.[1])).toEqual(['status', 'promote', 'rollback', 'abort', 'help']);
  });
});

describe('parseButtonPress', () => {
  it('reads who pressed which button of which wait, and where to answer', () => {
    expect(parseButtonPress(payload())).toEqual({
      userId: 'U0RELEASER',
      channelId: 'C0DEPLOYS',
      responseUrl: 'https://hooks.slack.com/actions/T0001/1234567890/qrstuvWXYZabcdef',
      action: 'promote',
      service: 'web',
      releaseNumber: 4,
      kind: 'promotion',
    });
  });

  it('reads a rollback button of a bake wait of release 0', () => {
    expect(parseButtonPress(payload((p) => ((p.actions[0]!.action_id = 'rollback'), value({ service: 'web', releaseNumber: 0, kind: 'bake' })(p))))).toMatchObject({
      action: 'rollback',
      releaseNumber: 0,
      kind: 'bake',
    });
  });

  it.each<[string, string, string]>([
    ['text that is not JSON', 'payload=', 'payload is not valid JSON'],
    ['another kind of interaction', payload((p) => void (p.type = 'view_submission')), 'payload: type: only button presses (block_actions) are handled'],
    ['no user', payload((p) => void delete (p as Partial<Payload>).user), 'payload: user: Invalid input: expected object, received undefined'],
    ['an empty user id', payload((p) => void (p.user.id = '')), 'payload: user.id: Too small: expected string to have >=1 characters'],
    ['an empty channel id', payload((p) => void (p.channel.id = '')), 'payload: channel.id: Too small: expected string to have >=1 characters'],
    [
      'two empty ids',
      payload((p) => ((p.user.id = ''), void (p.channel.id = ''))),
      'payload: user.id: Too small: expected string to have >=1 characters; channel.id: Too small: expected string to have >=1 characters',
    ],
    ['a response URL that is not one', payload((p) => void (p.response_url = 'hooks')), 'payload: response_url: Invalid URL'],
    ['an unknown button', payload((p) => void (p.actions[0]!.action_id = 'abort')), 'payload: actions.0.action_id: Invalid option: expected one of "promote"|"rollback"'],
    ['two buttons at once', payload((p) => void p.actions.push({ ...p.actions[0]! })), 'payload: actions: Too big: expected array to have exactly 1 items'],
    ['no button', payload((p) => void (p.actions = [])), 'payload: actions: Too small: expected array to have exactly 1 items'],
    ['a button value that is not JSON', payload((p) => void (p.actions[0]!.value = 'web')), 'payload.actions[0].value is not valid JSON'],
    ['a button value without a service', payload(value({ service: '', releaseNumber: 4, kind: 'bake' })), 'payload.actions[0].value: service: Too small: expected string to have >=1 characters'],
    ['a negative release number', payload(value({ service: 'web', releaseNumber: -1, kind: 'bake' })), 'payload.actions[0].value: releaseNumber: Too small: expected number to be >=0'],
    ['a fractional release number', payload(value({ service: 'web', releaseNumber: 1.5, kind: 'bake' })), 'payload.actions[0].value: releaseNumber: Invalid input: expected int, received number'],
    ['an unknown wait', payload(value({ service: 'web', releaseNumber: 4, kind: 'canary' })), 'payload.actions[0].value: kind: Invalid option: expected one of "promotion"|"bake"|"retention"'],
    ['a value that is not an object', payload(value(4)), 'payload.actions[0].value: (root): Invalid input: expected object, received number'],
  ])('refuses %s, naming the field', (_case, text, message) => {
    expect(refusal(() => parseButtonPress(text))).toEqual({ name: 'BadRequest', message });
  });
});
