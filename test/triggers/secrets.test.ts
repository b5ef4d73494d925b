// Secrets from SSM Parameter Store (moto), through Powertools parameters,
// cached; or straight from the environment locally.
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigInvalid } from '../../functions/core/errors.ts';
import { optionalSecret, requiredSecret, secretIfExists, secretStores, type SecretStores } from '../../functions/lib/secrets.ts';
import { emulatorClientConfig, motoAvailable, startMoto, type RunningServer } from '../support/servers.ts';

describe.skipIf(!motoAvailable)('secrets (moto)', () => {
  let moto: RunningServer;
  let ssm: SSMClient;
  let stores: SecretStores;

  beforeAll(async () => {
    moto = await startMoto();
    ssm = new SSMClient(emulatorClientConfig(moto.endpoint));
    stores = secretStores(ssm);
  });
  afterAll(() => moto?.stop());

  it('reads a SecureString parameter and keeps it for five minutes', async () => {
    // Prepare
    await ssm.send(new PutParameterCommand({ Name: '/bluegreen/github-secret', Type: 'SecureString', Value: 'from-ssm' }));
    const read = optionalSecret({ GITHUB_WEBHOOK_SECRET_PARAM: '/bluegreen/github-secret' }, 'GITHUB_WEBHOOK_SECRET', stores)!;

    // Act
    const first = await read();
    await ssm.send(new PutParameterCommand({ Name: '/bluegreen/github-secret', Type: 'SecureString', Value: 'rotated', Overwrite: true }));
    const cached = await read();

    // Assess
    expect([first, cached]).toEqual(['from-ssm', 'from-ssm']);
  });

  it('reads a parameter that does not exist as no secret, and remembers that for five minutes like a value', async () => {
    // Prepare: the previous webhook secret outside a rotation: no such parameter.
    const asked: string[] = [];
    ssm.middlewareStack.add((next) => (args) => (asked.push(String((args.input as { Name?: string }).Name)), next(args)), { step: 'initialize', name: 'countReads' });
    const read = secretIfExists({ GITHUB_WEBHOOK_PREVIOUS_SECRET_PARAM: '/bluegreen/no-rotation' }, 'GITHUB_WEBHOOK_PREVIOUS_SECRET', stores)!;

    // Act
    const answers = [await read(), await read()];

    // Assess
    ssm.middlewareStack.remove('countReads');
    expect(answers).toEqual([undefined, undefined]);
    expect(asked).toEqual(['/bluegreen/no-rotation']);
  });

  it('names the parameter when a required secret does not exist', async () => {
    const read = requiredSecret({ SLACK_SIGNING_SECRET_PARAM: '/bluegreen/never-created' }, 'SLACK_SIGNING_SECRET', stores);

    await expect(read()).rejects.toBeInstanceOf(ConfigInvalid);
    await expect(read()).rejects.toThrow('SLACK_SIGNING_SECRET_PARAM: parameter /bluegreen/never-created does not exist');
  });

  it.each(['arn:aws:secretsmanager:us-east-1:123456789012:secret:bluegreen/slack-AbCdEf', 'secretsmanager:bluegreen/slack'])(
    'refuses a Secrets Manager secret (%s), naming the variable: the roles read SSM parameters only',
    (location) => {
      expect(() => optionalSecret({ SLACK_SIGNING_SECRET_PARAM: location }, 'SLACK_SIGNING_SECRET', stores)).toThrow(ConfigInvalid);
      expect(() => optionalSecret({ SLACK_SIGNING_SECRET_PARAM: location }, 'SLACK_SIGNING_SECRET', stores)).toThrow('SLACK_SIGNING_SECRET_PARAM: ');
    },
  );

  it('takes the value from the environment for local runs', async () => {
    expect(await optionalSecret({ SLACK_SIGNING_SECRET: 'local', SLACK_SIGNING_SECRET_PARAM: '/ignored' }, 'SLACK_SIGNING_SECRET', stores)!()).toBe('local');
  });

  it('is absent when the environment names none, and required ones say which variable to set', () => {
    expect(optionalSecret({}, 'SLACK_BOT_TOKEN', stores)).toBeUndefined();
    expect(() => requiredSecret({}, 'SLACK_SIGNING_SECRET', stores)).toThrow(ConfigInvalid);
    expect(() => requiredSecret({}, 'SLACK_SIGNING_SECRET', stores)).toThrow('set SLACK_SIGNING_SECRET_PARAM');
  });
});
