// Secrets of the entry points, read where the environment says, cached for
// five minutes per container and never logged.
//
// For a secret NAME (GITHUB_WEBHOOK_SECRET, GITHUB_WEBHOOK_PREVIOUS_SECRET,
// GITHUB_TOKEN, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN):
//   NAME_PARAM  where it is stored: an SSM parameter name (`/bluegreen/github-secret`,
//               SecureString decrypted; the functions' roles read exactly these);
//   NAME        the value itself, for local runs and tests only (it would be
//               visible in the function's configuration).
import type { SSMClient } from '@aws-sdk/client-ssm';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { ConfigInvalid } from '../core/errors.ts';
import type { Environment } from './settings.ts';

/** Reads the current value (from the cache when fresh). */
export type SecretReader = () => Promise<string>;

export interface SecretStores {
  ssm: SSMProvider;
}

export const SECRET_MAX_AGE_SECONDS = 300;

export function secretStores(ssm: SSMClient): SecretStores {
  return { ssm: new SSMProvider({ awsSdkV3Client: ssm }) };
}

/** The reader for secret `name`, or undefined when the environment configures none. */
export function optionalSecret(env: Environment, name: string, stores: SecretStores): SecretReader | undefined {
  const value = env[name];
  if (value) return () => Promise.resolve(value);
  const location = env[`${name}_PARAM`];
  if (!location) return undefined;
  if (isSecretsManagerSecret(location)) {
    throw new ConfigInvalid(`${name}_PARAM: ${location} is a Secrets Manager secret; store the value as an SSM SecureString parameter and name that`);
  }
  const read = () => stores.ssm.get(location, { decrypt: true, maxAge: SECRET_MAX_AGE_SECONDS });
  return async () => {
    const secret = await read();
    if (typeof secret !== 'string' || secret === '') throw new ConfigInvalid(`${name}_PARAM: ${location} holds no text value`);
    return secret;
  };
}

/** Like `optionalSecret`, but a missing configuration fails the cold start. */
export function requiredSecret(env: Environment, name: string, stores: SecretStores): SecretReader {
  const reader = optionalSecret(env, name, stores);
  if (!reader) throw new ConfigInvalid(`secret ${name} is not configured: set ${name}_PARAM (an SSM SecureString parameter name)`);
  return reader;
}

function isSecretsManagerSecret(location: string): boolean {
  return /^arn:[\w-]+:secretsmanager:/.test(location) || location.startsWith('secretsmanager:');
}
