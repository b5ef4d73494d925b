// Refuses to run the suite under a Node older than 22.12: vitest and
// aws-local-stepfunctions misbehave there in misleading ways. In CI
// (CI=true), refuses to run without moto too: the tests that need it would
// skip, and a skipped test must never read as a pass there.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 12)) {
    throw new Error(`tests need Node >= 22.12, this is ${process.versions.node}: run them with npm test`);
  }
  if (process.env.CI === 'true' && spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status !== 0) {
    throw new Error("CI=true and moto is not installed (python3 -m moto.server): install it, pip install 'moto[server]>=5.2,<6'; outside CI its tests skip with a warning");
  }
}
