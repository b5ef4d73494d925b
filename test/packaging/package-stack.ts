// Runs `npm run package` exactly as the README says, with no AWS credentials
// and, where the machine allows it, no network at all (a fresh network
// namespace: not even loopback is up), and reads back what it wrote. Given a
// services configuration of its own, it packages a copy of the project (so
// it can run beside another packaging) with that services.json.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

export interface PackageOptions {
  /** The services configuration to package (default: the project's services.json, in place). */
  services?: unknown;
  /** `--param name=value` for each entry. */
  params?: Record<string, string>;
}

/** What `npm run package` reads: the copy of the project a configuration of its own is packaged from. */
const PACKAGED_SOURCES = ['serverless.yml', 'package.json', 'tsconfig.json', 'functions', 'scripts', 'statemachines'];

export function packageStack(options: PackageOptions = {}): PackagedStack {
  const networkIsolated = spawnSync('unshare', ['-n', 'true']).status === 0;
  if (!networkIsolated) console.warn('\n*** unshare -n is not permitted here: packaging runs without credentials but NOT without network ***\n');
  const root = options.services === undefined ? projectRoot : copyOfProject(options.services);
  try {
    const params = Object.entries(options.params ?? {}).flatMap(([name, value]) => ['--param', `${name}=${value}`]);
    const npm = ['npm', 'run', 'package', ...(params.length > 0 ? ['--', ...params] : [])];
    const [command, args] = networkIsolated ? ['unshare', ['-n', ...npm]] : [npm[0]!, npm.slice(1)];
    const run = spawnSync(command, args, { cwd: root, env: withoutAwsCredentials(), encoding: 'utf8', timeout: 170_000 });
    if (run.status !== 0) throw new Error(`npm run package failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
    const output = join(root, '.serverless');
    const read = (file: string): unknown => JSON.parse(readFileSync(join(output, file), 'utf8'));
    const state = read('serverless-state.json') as { service: PackagedStack['service'] };
    return {
      networkIsolated,
      template: read('cloudformation-template-update-stack.json') as Template,
      service: state.service,
      zipOf: (name) => join(output, `${name}.zip`),
    };
  } finally {
    if (root !== projectRoot) rmSync(root, { recursive: true, force: true });
  }
}

function copyOfProject(services: unknown): string {
  const root = mkdtempSync(join(tmpdir(), 'bluegreen-package-'));
  for (const source of PACKAGED_SOURCES) cpSync(join(projectRoot, source), join(root, source), { recursive: true });
  symlinkSync(join(projectRoot, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'services.json'), JSON.stringify(services, null, 2));
  return root;
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
