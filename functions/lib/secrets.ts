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
import { awsErrorCode } from '../adapters/aws-errors.ts';
import { ConfigInvalid } from '../core/errors.ts';
import type { Environment } from './settings.ts';

/** Reads the current value (from the cache when fresh). */
export type SecretReader = () => Promise<string>;
/** Like `SecretReader`, but a parameter that does not exist reads as undefined. */
export type SecretIfExistsReader = () => Promise<string | undefined>;

export interface SecretStores {
  ssm: SSMProvider;
}

export const SECRET_MAX_AGE_SECONDS = 300;

export function secretStores(ssm: SSMClient): SecretStores {
  return { ssm: new SSMProvider({ awsSdkV3Client: ssm }) };
}

/** The reader for secret `name`, or undefined when the environment configures none. */
export function optionalSecret(env: Environment, name: string, stores: SecretStores): SecretReader | undefined {
  const read = secretIfExists(env, name, stores);
  if (!read) return undefined;
  return async () => {
    const secret = await read();
    if (secret === undefined) throw new ConfigInvalid(`${name}_PARAM: parameter ${env[`${name}_PARAM`]} does not exist`);
    return secret;
  };
}

/**
 * The reader for a secret that may legitimately not exist (the previous
 * webhook secret outside a rotation): a parameter that does not exist is no
 * secret, an answer cached as long as a value, so a stream of forged requests
 * costs one SSM call per five minutes, not one each.
 */
export function secretIfExists(env: Environment, name: string, stores: SecretStores): SecretIfExistsReader | undefined {
  const value = env[name];
  if (value) return () => Promise.resolve(value);
  const location = env[`${name}_PARAM`];
  if (!location) return undefined;
  if (isSecretsManagerSecret(location)) {
    throw new ConfigInvalid(`${name}_PARAM: ${location} is a Secrets Manager secret; store the value as an SSM SecureString parameter and name that`);
  }
  const read = ssmParameter(stores.ssm, location);
  return async () => {
    const secret = await read();
    if (secret === undefined) return undefined;
    if (typeof secret !== 'string' || secret === '') throw new ConfigInvalid(`${name}_PARAM: ${location} holds no text value`);
    return secret;
  };
}

/** A SecureString parameter, decrypted; undefined while it does not exist (GetParameter answers ParameterNotFound). */
function ssmParameter(ssm: SSMProvider, parameter: string): () => Promise<unknown> {
  let absentUntil = 0;
  return async () => {
    if (Date.now() < absentUntil) return undefined;
    try {
      return await ssm.get(parameter, { decrypt: true, maxAge: SECRET_MAX_AGE_SECONDS });
    } catch (error) {
      // Powertools wraps the SDK's error in GetParameterError, keeping it as the cause.
      if (awsErrorCode((error as { cause?: unknown }).cause) !== 'ParameterNotFound') throw error;
      absentUntil = Date.now() + SECRET_MAX_AGE_SECONDS * 1000;
      return undefined;
    }
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
