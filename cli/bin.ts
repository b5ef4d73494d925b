#!/usr/bin/env node
// The `bluegreen` command. Refuses a Node older than 22.12 (as
// scripts/check-node.cjs does) before loading anything else, then runs the
// command line and exits with its code.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `bluegreen needs Node >= 22.12 but this is Node ${process.versions.node} (${process.execPath}).\n` +
      'Run it through npm (npm run bluegreen -- <command>), which puts the node@22 devDependency first on the PATH.\n',
  );
  process.exit(2);
}

const { run } = await import('./main.ts');
const { processIo } = await import('./io.ts');
process.exitCode = await run(process.argv.slice(2), processIo());
