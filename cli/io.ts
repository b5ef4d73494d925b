// What a command may touch of the outside world besides AWS: its output
// streams and its environment. `bin.ts` passes the process's; tests pass
// their own and read what was written.
import { fileURLToPath } from 'node:url';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  /** Where `--local` reads the local cloud's endpoints; default: `.bluegreen/local.json` in the repository. */
  localFile?: string;
}

export const DEFAULT_LOCAL_FILE = fileURLToPath(new URL('../.bluegreen/local.json', import.meta.url));

export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
  };
}
