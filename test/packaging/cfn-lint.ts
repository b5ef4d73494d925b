// cfn-lint (the CloudFormation linter, a Python tool: `pip install cfn-lint`;
// .ci/run installs it) on a template file: what it reports, by level.
import { spawnSync } from 'node:child_process';

export interface LintFinding {
  level: 'Error' | 'Warning' | 'Informational';
  rule: string;
  message: string;
  path: string;
}

export function cfnLintAvailable(): boolean {
  return spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;
}

/** Every finding of cfn-lint on `templatePath`, in the stack's region. */
export function cfnLint(templatePath: string, region = 'us-east-1'): LintFinding[] {
  const run = spawnSync('cfn-lint', ['--format', 'json', '--regions', region, '--non-zero-exit-code', 'none', '--', templatePath], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`cfn-lint failed (${run.status ?? run.signal}): ${run.stderr}`);
  const findings = JSON.parse(run.stdout || '[]') as { Level: LintFinding['level']; Rule: { Id: string }; Message: string; Location: { Path: (string | number)[] } }[];
  return findings.map((f) => ({ level: f.Level, rule: f.Rule.Id, message: f.Message, path: f.Location.Path.join('/') }));
}

export function describeFindings(findings: LintFinding[]): string {
  return findings.map((f) => `${f.level} ${f.rule} at ${f.path}: ${f.message}`).join('\n');
}
