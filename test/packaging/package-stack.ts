// Runs `npm run package` exactly as the README says, with no AWS credentials
// and, where the machine allows it, no network at all (a fresh network
// namespace: not even loopback is up), and reads back what it wrote.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Template } from './cloudformation.ts';

export const projectRoot = resolve(import.meta.dirname, '../..');
export const packageDir = join(projectRoot, '.serverless');

export interface PackagedStack {
  /** False where `unshare -n` is not permitted: the run then had no credentials, but a network. */
  networkIsolated: boolean;
  template: Template;
  /** The resolved serverless.yml, as osls saw it. */
  service: { custom: { esbuild: Record<string, unknown> } };
  zipOf(functionName: string): string;
}

export function packageStack(): PackagedStack {
  const networkIsolated = spawnSync('unshare', ['-n', 'true']).status === 0;
  if (!networkIsolated) console.warn('\n*** unshare -n is not permitted here: packaging runs without credentials but NOT without network ***\n');
  const [command, args] = networkIsolated ? ['unshare', ['-n', 'npm', 'run', 'package']] : ['npm', ['run', 'package']];
  const run = spawnSync(command, args, { cwd: projectRoot, env: withoutAwsCredentials(), encoding: 'utf8', timeout: 170_000 });
  if (run.status !== 0) throw new Error(`npm run package failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  const read = (file: string): unknown => JSON.parse(readFileSync(join(packageDir, file), 'utf8'));
  const state = read('serverless-state.json') as { service: PackagedStack['service'] };
  return {
    networkIsolated,
    template: read('cloudformation-template-update-stack.json') as Template,
    service: state.service,
    zipOf: (name) => join(packageDir, `${name}.zip`),
  };
}

/** This process's environment without anything that could lead the AWS SDK or CLI to credentials. */
function withoutAwsCredentials(): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_'));
  return {
    ...Object.fromEntries(kept),
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    npm_config_update_notifier: 'false',
  };
}
