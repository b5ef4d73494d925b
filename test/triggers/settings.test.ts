// Configuration read once per container: where it comes from, and how a bad
// one stops an entry point before it handles anything, naming the field.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as alarm from '../../functions/alarm.ts';
import { ConfigInvalid } from '../../functions/core/errors.ts';
import { loadSettings } from '../../functions/lib/settings.ts';
import * as slack from '../../functions/slack.ts';
import * as sweep from '../../functions/sweep.ts';
import * as webhook from '../../functions/webhook.ts';
import { alarmEvent } from '../support/events.ts';
import { captureOutput, CONFIG_DOCUMENT, lambdaContext } from './harness.ts';

const BASE = { TABLE_NAME: 'deployments', STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:deploy' };

describe('loadSettings', () => {
  it('reads the configuration inline, with the defaults filled in', () => {
    // Act
    const settings = loadSettings({ ...BASE, BLUEGREEN_CONFIG: JSON.stringify(CONFIG_DOCUMENT) });

    // Assess
    expect(settings.tableName).toBe('deployments');
    expect(settings.config.services.map((s) => s.name)).toEqual(['web', 'api', 'docs']);
    expect(settings.config.services[0]?.strategy).toEqual({ type: 'blue-green' });
  });

  it('reads the configuration from a file', () => {
    // Prepare
    const path = join(mkdtempSync(join(tmpdir(), 'bluegreen-')), 'config.json');
    writeFileSync(path, JSON.stringify(CONFIG_DOCUMENT));

    // Act
    const settings = loadSettings({ ...BASE, BLUEGREEN_CONFIG_FILE: path });

    // Assess
    expect(settings.config.services).toHaveLength(3);
  });

  it.each([
    ['no configuration', { ...BASE }, 'set BLUEGREEN_CONFIG (inline JSON) or BLUEGREEN_CONFIG_FILE'],
    ['configuration that is not JSON', { ...BASE, BLUEGREEN_CONFIG: '{services:' }, 'BLUEGREEN_CONFIG is not valid JSON'],
    ['a configuration file that does not exist', { ...BASE, BLUEGREEN_CONFIG_FILE: '/nonexistent/config.json' }, 'cannot read /nonexistent/config.json'],
    ['an invalid field', { ...BASE, BLUEGREEN_CONFIG: JSON.stringify({ services: [{ ...CONFIG_DOCUMENT.services[0], name: 'Web' }] }) }, 'services[0].name'],
    ['no table', { STATE_MACHINE_ARN: BASE.STATE_MACHINE_ARN, BLUEGREEN_CONFIG: JSON.stringify(CONFIG_DOCUMENT) }, 'TABLE_NAME is not set'],
    ['no state machine', { TABLE_NAME: 'deployments', BLUEGREEN_CONFIG: JSON.stringify(CONFIG_DOCUMENT) }, 'STATE_MACHINE_ARN is not set'],
  ])('refuses %s, naming it', (_case, env, message) => {
    expect(() => loadSettings(env)).toThrow(ConfigInvalid);
    expect(() => loadSettings(env)).toThrow(message);
  });
});

describe('entry points', () => {
  const entryPoints = { webhook: webhook.handler, slack: slack.handler, alarm: alarm.handler, sweep: sweep.handler } as const;
  const invalid = JSON.stringify({ services: [{ ...CONFIG_DOCUMENT.services[0], subnets: [] }] });
  const stubEnv = (env: Record<string, string>) => Object.entries({ ...BASE, ...env }).forEach(([name, value]) => vi.stubEnv(name, value));
  afterEach(() => vi.unstubAllEnvs());

  it.each(['webhook', 'slack', 'alarm', 'sweep'] as const)('%s handles nothing with an invalid configuration, naming the field', async (name) => {
    // Prepare
    stubEnv({ BLUEGREEN_CONFIG: invalid, GITHUB_WEBHOOK_SECRET: 'x', SLACK_SIGNING_SECRET: 'x' });

    // Act
    const invocation = entryPoints[name]({} as never, lambdaContext());

    // Assess
    await expect(invocation).rejects.toThrow(ConfigInvalid);
    await expect(entryPoints[name]({} as never, lambdaContext())).rejects.toThrow('invalid configuration: services[0].subnets');
  });

  it.each([
    ['webhook', 'GITHUB_WEBHOOK_SECRET'],
    ['slack', 'SLACK_SIGNING_SECRET'],
  ] as const)('%s handles nothing without its secret, naming it', async (name, secret) => {
    // Prepare
    stubEnv({ BLUEGREEN_CONFIG: JSON.stringify(CONFIG_DOCUMENT) });

    // Act + Assess
    await expect(entryPoints[name]({} as never, lambdaContext())).rejects.toThrow(`secret ${secret} is not configured: set ${secret}_PARAM`);
  });

  it('alarm is built once per container, from the first valid configuration', async () => {
    // Prepare
    const output = captureOutput();
    stubEnv({ BLUEGREEN_CONFIG: JSON.stringify(CONFIG_DOCUMENT) });

    // Act
    const first = await alarm.handler(alarmEvent('alarm-state-ok'), lambdaContext());
    stubEnv({ BLUEGREEN_CONFIG: invalid });
    const second = await alarm.handler(alarmEvent('alarm-state-ok'), lambdaContext());
    output.restore();

    // Assess
    expect([first.outcome, second.outcome]).toEqual(['ignored', 'ignored']);
  });
});
