// Runs the CLI in-process and captures what it writes and its exit code.
import { run } from '../../cli/main.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCaptured(argv: string[], options: { env?: Record<string, string>; localFile?: string } = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(argv, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: options.env ?? {},
    ...(options.localFile ? { localFile: options.localFile } : {}),
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}
