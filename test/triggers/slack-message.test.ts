// The deployment message and the parsing of what Slack sends back. Pure.
import { describe, expect, it } from 'vitest';
import { parseButtonPress, parseSlashCommand } from '../../functions/lib/slack-command.ts';
import { deploymentMessage, type DeploymentView, type SlackButton } from '../../functions/lib/slack-message.ts';
import { fixture } from '../support/events.ts';

const SHA = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

function view(overrides: Partial<DeploymentView> = {}): DeploymentView {
  return {
    service: 'web',
    executionName: 'web-4b825dc642cb-6f1a2b30c7d4',
    version: SHA,
    trigger: { kind: 'push', by: 'github:octocat' },
    live: { number: 3, version: 'a'.repeat(40) },
    green: { number: 4, version: SHA, healthy: 2, desired: 2 },
    alarms: [
      { name: 'bg-web-4-5xx', state: 'OK' },
      { name: 'bg-web-4-latency', state: 'OK' },
    ],
    wait: { kind: 'promotion', releaseNumber: 4, expiresAt: '2026-11-23T10:00:00.000Z' },
    queued: null,
    abort: null,
    history: [
      {
        kind: 'step',
        by: 'workflow',
        step: 'shiftTraffic',
        at: '2026-11-22T10:16:40.000Z',
        listenerChanges: [{ kind: 'modify-default', action: { type: 'forward', targets: [{ targetGroupArn: 'tg-4', weight: 100 }] } }],
        durationMs: 2100,
      },
      { kind: 'started', by: 'github:octocat', version: SHA, at: '2026-11-22T10:15:31.000Z' },
    ],
    ...overrides,
  };
}

const buttonsOf = (v: DeploymentView) => deploymentMessage(v).blocks?.find((b) => b.type === 'actions')?.elements ?? [];

/** A button press of the fixture payload, for `button`. */
function press(button: SlackButton): string {
  const { payload } = fixture<{ payload: { actions: { action_id: string; value: string }[] } }>('slack/interaction');
  payload.actions[0]!.action_id = button.action_id;
  payload.actions[0]!.value = button.value;
  return JSON.stringify(payload);
}

describe('deploymentMessage', () => {
  it('shows what is live, what is green, its health, the alarms and who did what', () => {
    // Act
    const message = deploymentMessage(view());

    // Assess
    expect(message.text).toBe('web: deploying 4b825dc: waiting for promotion of release 4 until 2026-11-23T10:00:00.000Z');
    const text = JSON.stringify(message.blocks);
    for (const part of ['release 3 `aaaaaaa`', 'release 4 `4b825dc`, 2/2 healthy', 'all 2 OK', 'by github:octocat', '`10:16:40` shiftTraffic, 1 listener change in 2 s', 'github:octocat started `4b825dc`']) {
      expect(text).toContain(part);
    }
  });

  it('offers Promote and Roll back while waiting for promotion; the press reads back', () => {
    // Act
    const buttons = buttonsOf(view());

    // Assess
    expect(buttons.map((b) => b.action_id)).toEqual(['promote', 'rollback']);
    expect(parseButtonPress(press(buttons[0]!))).toMatchObject({ action: 'promote', service: 'web', releaseNumber: 4, kind: 'promotion', userId: 'U0RELEASER', channelId: 'C0DEPLOYS' });
  });

  it.each([
    ['during bake', { wait: { kind: 'bake' as const, releaseNumber: 4, expiresAt: '2026-11-22T10:30:00.000Z' } }, ['rollback']],
    ['without a wait', { wait: null }, []],
  ])('offers only what applies %s', (_case, overrides, actions) => {
    expect(buttonsOf(view(overrides)).map((b) => b.action_id)).toEqual(actions);
  });

  it('names firing alarms and escapes what users wrote', () => {
    // Act
    const text = JSON.stringify(
      deploymentMessage(
        view({
          alarms: [{ name: 'bg-web-4-5xx', state: 'ALARM' }],
          history: [{ kind: 'signal', by: 'slack:U1', action: 'rollback', reason: '<!channel> & broken', at: '2026-11-22T10:20:00.000Z' }],
        }),
      ).blocks,
    );

    // Assess
    expect(text).toContain(':red_circle: bg-web-4-5xx');
    expect(text).toContain('&lt;!channel&gt; &amp; broken');
    expect(text).not.toContain('<!channel>');
  });

  it('says a redelivered push was deployed already', () => {
    // Act
    const reason = 'delivery d-1 arrived again: already deployed by web-4b825dc642cb-d1, which ended SUCCEEDED; nothing started';
    const text = JSON.stringify(deploymentMessage(view({ history: [{ kind: 'redelivered', by: 'github:octocat', version: SHA, reason, at: '2026-11-29T10:20:00.000Z' }] })).blocks);

    // Assess
    expect(text).toContain(`\`10:20:00\` github:octocat redelivered \`4b825dc\`: ${reason}`);
  });

  it('says when nothing runs', () => {
    expect(deploymentMessage({ service: 'web', history: [] }).text).toBe('web: no deployment running');
  });
});

describe('parseSlashCommand', () => {
  const form = (text: string) => new URLSearchParams({ ...fixture<{ form: Record<string, string> }>('slack/command').form, text });

  it.each([
    ['promote web looks good', { action: 'promote', service: 'web', reason: 'looks good' }],
    ['  ROLLBACK   web  ', { action: 'rollback', service: 'web', reason: '' }],
    ['', { action: 'help' }],
    ['status', { action: 'help', problem: '`status` needs a service' }],
    ['abort web web-4b825dc642cb-6f1a2b30c7d4 wrong build', { action: 'abort', service: 'web', execution: 'web-4b825dc642cb-6f1a2b30c7d4', reason: 'wrong build' }],
    ['abort web web-1-0-0-5f2a9c0e1b7d', { action: 'abort', service: 'web', execution: 'web-1-0-0-5f2a9c0e1b7d', reason: '' }],
  ])('reads "%s"', (text, expected) => {
    expect(parseSlashCommand(form(text))).toMatchObject({ userId: 'U0RELEASER', channelId: 'C0DEPLOYS', ...expected });
  });

  it.each([
    ['a reason', 'abort web wrong build'],
    ['a word that only starts like an execution', 'abort web web-tier is down'],
    ['another service\'s execution', 'abort web api-4b825dc642cb-6f1a2b30c7d4'],
  ])('takes %s as the reason, naming no execution', (_case, text) => {
    const command = parseSlashCommand(form(text));

    expect(command.execution).toBeUndefined();
    expect(command.reason).toBe(text.split(' ').slice(2).join(' '));
  });

  it('names the execution in the deployment message, as /deploy abort takes it', () => {
    expect(JSON.stringify(deploymentMessage(view()).blocks)).toContain('execution `web-4b825dc642cb-6f1a2b30c7d4`');
  });

  it('rejects a button payload that is not a button press, naming the field', () => {
    expect(() => parseButtonPress(JSON.stringify({ type: 'view_submission' }))).toThrow('payload: type: only button presses (block_actions) are handled');
  });
});
